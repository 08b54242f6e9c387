"""The end of a run started by hand: how long it took, what it did, where its rejects are.

One style for ``ingest``, ``reprocess`` and ``summarize``: a heading with the flow, its status and
duration, the run's counts one per line, the sizes of the tables analysts read and, when pages
were rejected, the query that lists them. ``--json`` prints the counts as one JSON line instead,
for scripts.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import typer

from config.settings import Settings
from warehouse.session import reader

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the run's counts as one JSON line, for scripts.")
]
TABLES = (
    "articles",
    "unique_stories",
    "article_duplicates",
    "rejects",
    "incidents",
    "incident_mentions",
    "daily_summary",
)
REJECTS_QUERY = (
    'newsdesk query "SELECT stage, reason, url, detail FROM rejects ORDER BY last_seen_at DESC"'
)


def print_run_summary(
    flow: str, counts: dict[str, Any], started: float, settings: Settings, as_json: bool
) -> None:
    """The run's summary on stdout (see the module docstring); ``started`` is a
    ``time.monotonic()`` reading taken when the run began."""
    if as_json:
        typer.echo(json.dumps(counts, default=str))
        return
    status = counts.get("status") or ("partially_failed" if counts.get("failed") else "completed")
    typer.echo(f"{flow} {status} in {time.monotonic() - started:.1f} s")
    for name, value in _shown(counts).items():
        typer.echo(f"  {name:<20} {value}")
    sizes = _table_sizes(settings)
    typer.echo("tables: " + ", ".join(f"{table} {count}" for table, count in sizes.items()))
    rejected = _rejected(counts)
    if rejected:
        typer.echo(f"rejects this run: {rejected}; list them with:\n  {REJECTS_QUERY}")


def _shown(counts: dict[str, Any]) -> dict[str, object]:
    """Counts as printed: the touched-day list is long, so its span only."""
    shown: dict[str, object] = {}
    for name, value in counts.items():
        if name == "status":
            continue
        if name == "touched_days":
            value = f"{len(value)} days, {value[0]} .. {value[-1]}" if value else 0
        elif isinstance(value, dict | list):
            value = json.dumps(value, default=str)
        shown[name] = value
    return shown


def _rejected(counts: dict[str, Any]) -> int:
    """Rejects a run recorded: ingest counts them per stage, summarize as failed articles."""
    rejects = counts.get("rejects")
    return sum(rejects.values()) if isinstance(rejects, dict) else int(counts.get("failed") or 0)


def _table_sizes(settings: Settings) -> dict[str, int]:
    con = reader(settings)
    try:
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}
    finally:
        con.close()
