"""Backfill flow: re-ingest a past publication window, on request, for all or some sources.

Checks the request first (a range that ends before it starts, an unknown source id) and fails
at once naming the bad value, before it waits for the writer lock or touches the network. Then
it runs the ``ingest`` flow as a subflow with the window, so it writes the same tables, takes
the same single-writer lock and triggers the same summaries; `until` defaults to the run's day.

By hand: ``newsdesk trigger backfill/manual --param since=2024-05-01 --param until=2024-05-07
--param sources='["sample"]' --watch`` (or ``prefect deployment run 'backfill/manual' ...``).
"""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from config.settings import Settings
from flows.deployments import checked_request, run_day
from flows.ingest import ingest


@flow(name="backfill", log_prints=True)
def backfill(
    since: date,
    until: date | None = None,
    sources: list[str] | None = None,
    reprocess: bool = False,
) -> dict:
    """Ingest ``since``..``until`` (inclusive); ``reprocess`` re-cleans stored pages instead."""
    settings = Settings()
    until = until or run_day()
    _, selected = checked_request(since, until, sources, settings)
    get_run_logger().info(
        "backfilling %s to %s for %s%s",
        since,
        until,
        ", ".join(s.id for s in selected),
        " from stored pages" if reprocess else "",
    )
    return ingest(sources=sources, since=since, until=until, reprocess=reprocess)
