"""Incident extraction: texts per second on one core (per CPU-second of this process, which
other work on a shared machine does not dilute; the wall-clock rate is given beside it), and
the cold start of ``newsdesk incidents`` on one short text.

ACLED's coders' notes (``<eval-dir>/acled-dev``) read one by one through the shipped
``IncidentReader`` in this one process, as ``bench.eval_acled`` reads them; the reader is built
and has read other notes before the clock starts (warm: a run builds it once per process), and
each note is read once, so the reader's bounded memos of names and words help only as far as
new text repeats what came before.
The cold start is the whole command in a new process (interpreter, imports, gazetteer, lexicons
and type model loaded, one text read, JSON printed), the fastest of a few.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.eval_acled import load_notes, published_at
from bench.table import Figure, against
from tasks.incidents.extract import extract_incidents
from tasks.incidents.reader import default_reader

NOTES_PER_CORE = 1000  # the target, texts per CPU-second
COLD_START_SECONDS = 1.0  # the target for `newsdesk incidents` on one text
WARM_UP = 300  # enough for the reader to have compiled the patterns news text needs
REPEATS = 3  # fresh readers, the fastest pass kept: other work on the machine only slows one
COLD_RUNS = 3
COLD_TEXT = "Two soldiers were killed when shells hit Avdiivka on Monday, the army said.\n"


def run(eval_dir: Path, notes: int = 1000) -> dict[str, Any]:
    warm_up, rows = _split(load_notes(eval_dir, notes + WARM_UP))
    passes = [_timed_pass(warm_up, rows) for _ in range(REPEATS)]
    found, seconds, cpu = min(passes, key=lambda timed: timed[2])
    return {
        "texts": len(rows),
        "words_per_text": round(sum(len(r["notes"].split()) for r in rows) / len(rows), 1),
        "incidents": found,
        "texts_per_cpu_second": round(len(rows) / cpu, 1),
        "texts_per_second": round(len(rows) / seconds, 1),
        "cold_start_seconds": round(cold_start(), 3),
    }


def _timed_pass(
    warm_up: list[dict[str, str]], rows: list[dict[str, str]]
) -> tuple[int, float, float]:
    """Incidents found, wall and CPU seconds for one pass of a fresh, warmed-up reader."""
    reader = default_reader()
    for row in warm_up:
        extract_incidents(row["notes"], published_at(row), reader=reader)
    started, cpu = time.perf_counter(), time.process_time()
    found = sum(
        len(extract_incidents(row["notes"], published_at(row), reader=reader)) for row in rows
    )
    return found, time.perf_counter() - started, time.process_time() - cpu


def _split(rows: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The notes to warm up on and the others, to be timed."""
    return rows[-WARM_UP:], rows[:-WARM_UP]


def cold_start(runs: int = COLD_RUNS) -> float:
    """Seconds for ``newsdesk incidents --text`` on one sentence in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        text = Path(folder) / "report.txt"
        text.write_text(COLD_TEXT, encoding="utf-8")
        command = [
            sys.executable, "-m", "flows.cli", "incidents",
            "--text", str(text), "--published", "2020-10-06T09:00:00",
        ]  # fmt: skip
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            timings.append(time.perf_counter() - started)
    return min(timings)


def figures(result: dict[str, Any]) -> list[Figure]:
    texts = f"{result['texts']:,} ACLED notes, {result['words_per_text']:g} words each"
    return [
        against(
            f"incident extraction per core, warm ({texts}; texts/CPU-s)",
            result["texts_per_cpu_second"],
            NOTES_PER_CORE,
            at_least=True,
        ),
        Figure(
            "incident extraction, wall clock (shared machine)",
            f"{result['texts_per_second']} texts/s",
        ),
        against(
            "`newsdesk incidents` cold start, one text",
            result["cold_start_seconds"],
            COLD_START_SECONDS,
            unit=" s",
        ),
    ]
