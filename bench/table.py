"""The one table ``make bench`` prints: figure, value, target, met?, and the machine it ran on.

Wall-clock figures drift on a shared machine, so each section measures its ratios side by side
in one run; the machine line (CPU, cores, load when the run began) says how far to trust the
absolute ones.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Figure:
    """One row. ``met`` is None when the figure has no target (it explains another)."""

    name: str
    value: str
    target: str = ""
    met: bool | None = None


def against(
    name: str, value: float, target: float, *, unit: str = "", at_least: bool = False
) -> Figure:
    """A figure with a numeric target: at most ``target`` unless ``at_least``."""
    shown = f"{value:,.4g}{unit}" if abs(value) < 100 else f"{value:,.0f}{unit}"
    sign = "≥" if at_least else "<"
    met = value >= target if at_least else value < target
    return Figure(name, shown, f"{sign} {target:g}{unit}", met)


def markdown(figures: Iterable[Figure]) -> str:
    rows = ["| figure | value | target | met? |", "|---|---|---|---|"]
    for figure in figures:
        met = {True: "yes", False: "**no**", None: ""}[figure.met]
        rows.append(f"| {figure.name} | {figure.value} | {figure.target} | {met} |")
    return "\n".join(rows)


def machine() -> str:
    """CPU model, cores, date and the load average when the bench began."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    return f"{_cpu_model()}, {os.cpu_count()} cores, {today}, load average {load} at the start"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
