"""Summarize flow: unique articles → incidents (merged across articles) → daily summaries.

Reads ``unique_stories`` (with each source's timezone) and writes ``incident_mentions`` (what
each article reported, with its sentences), ``incidents`` (one row per event, merged by the
rules in ``tasks/incidents/merge.py``), ``incident_extractions`` (who read what, so a re-run
reads only new or changed articles, or everything after the extractor changed), ``rejects``
(stage ``incidents``), ``daily_summary`` for every day it touched, and a ``pipeline_runs`` row;
then publishes the snapshot and one markdown artifact per day touched (the daily report).

Each batch commits its mentions, the incidents they touch and those incidents' days' summaries
in one transaction, so a run killed between batches leaves no summary behind its incidents.
An article whose extraction fails, or whose rows the database refuses, keeps the evidence it
gave before and becomes a reject; the rest of its batch is stored.

``since``/``until`` limit extraction to articles published in that window and rebuild the
summaries of every day in it; ``days_back`` sets that window to the run day and the days before
it (the daily deployment); ``force`` reads every article again.

By hand: ``newsdesk summarize [--since 2020-10-01 --until 2020-10-07] [--force] [--db PATH]``,
or ``prefect deployment run 'summarize/daily'`` on a worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from config.settings import CONFIG_DIR, Settings
from flows.deployments import trailing_days
from flows.lifecycle import flow_process
from flows.parallel import in_order
from flows.steps import RETRYING
from tasks.incidents import merge
from tasks.incidents.reader import IncidentReader, default_reader
from tasks.process import Window
from tasks.report.daily import daily_markdown
from tasks.run_counts import StageClock
from warehouse import incidents as store
from warehouse import store_incidents as stored
from warehouse.runs import finish_run, start_run
from warehouse.session import writer
from warehouse.store_incidents import Touched


@cache
def incident_reader() -> IncidentReader:
    """The reader of this process, pool worker or Dask worker alike: built by its first batch
    and kept for every later one (the gazetteer and model cost seconds and hundreds of MiB)."""
    return default_reader(CONFIG_DIR)


@task(name="extract-incidents", timeout_seconds=1800, cache_policy=NO_CACHE)
def extract_batch(articles: list[merge.Article]) -> merge.ExtractedBatch:
    """Read one batch of articles (CPU only, nothing written)."""
    return merge.extract_reports(articles, incident_reader())


@task(name="store-incidents", **RETRYING)
def store_batch(
    con: duckdb.DuckDBPyConnection, run_id: str, version: str, batch: merge.ExtractedBatch
) -> tuple[Touched, int]:
    """Store the batch in one transaction: (incidents touched, articles that failed)."""
    return stored.store_batch(con, run_id, version, batch)


@task(name="retract-copies", timeout_seconds=600, **RETRYING)
def retract_copies(con: duckdb.DuckDBPyConnection, run_id: str) -> Touched:
    """Articles dedupe has since folded into another story stop counting as evidence."""
    return stored.retract_copies(con, run_id)


@task(name="rebuild-daily-summary", timeout_seconds=600, **RETRYING)
def rebuild_summaries(con: duckdb.DuckDBPyConnection, days: set[date]) -> int:
    """The window's days, even those no incident touched this run (the daily safety net)."""
    return stored.rebuild_summaries(con, days)


def publish_reports(con: duckdb.DuckDBPyConnection, days: set[date]) -> None:
    """One markdown artifact per day: the daily report, next to the run in the Prefect UI."""
    for day in sorted(days):
        incidents = store.incidents_on(con, day)
        evidence = store.evidence_of(con, [row["incident_id"] for row in incidents])
        create_markdown_artifact(
            key=f"incidents-{day.isoformat()}",
            markdown=daily_markdown(day, incidents, evidence),
            description=f"newsdesk incidents reported for {day.isoformat()}",
        )


@flow(name="summarize", log_prints=True)
def summarize(
    since: date | None = None,
    until: date | None = None,
    db_path: str | None = None,
    days_back: int | None = None,
    force: bool = False,
) -> dict:
    """Extract, merge and summarise what is new; returns the run's counts."""
    settings = Settings.overridden(db_path=db_path)
    if days_back is not None:
        since, until = trailing_days(days_back)
    window = Window.checked(since, until)
    logger = get_run_logger()
    run_id = str(flow_run.id or "local")
    version = merge.extractor_version(CONFIG_DIR)
    parameters = {"since": since, "until": until, "force": force, "extractor": version}
    counts = {"articles": 0, "failed": 0, "reports": 0, "incidents_touched": 0}
    clock = StageClock()  # times the publish that closes the writer
    with flow_process(log=logger.info), writer(settings, log=logger.info, clock=clock) as con:
        start_run(con, run_id, "summarize", parameters)
        try:
            touched = _extract_all(con, run_id, version, window, force, settings, counts)
            counts["window_summary_rows"] = rebuild_summaries(con, _window_days(window))
            days = set(touched.values()) | _window_days(window)
        except Exception as exc:
            finish_run(con, run_id, status="failed", counts=counts, error=repr(exc))
            raise
        counts.update(incidents_touched=len(touched), days=len(days))
        status = "partially_failed" if counts["failed"] else "completed"
        finish_run(con, run_id, status=status, counts=counts)
        publish_reports(con, days)
    counts["publish_seconds"] = clock.as_dict().get("publish", 0.0)
    logger.info("summarize: %s", counts)
    return counts


def _extract_all(
    con, run_id: str, version: str, window: Window, force: bool, settings: Settings, counts: dict
) -> Touched:
    """Batch by batch (by article id, so the loop ends even when everything is re-read), read
    on the workers while the writer stores the batches already back, in order."""
    touched = retract_copies(con, run_id)
    due = _due_batches(con, version, window, force, settings.process_batch_size)
    batches = ({"articles": [merge.Article(**row) for row in rows]} for rows in due)
    for batch in in_order(extract_batch, batches, settings):
        stored, failed = store_batch(con, run_id, version, batch)
        touched |= stored
        counts["articles"] += len(batch.incidents_per_article) + len(batch.failed)
        counts["failed"] += failed
        counts["reports"] += len(batch.reports)
    return touched


def _due_batches(con, version: str, window: Window, force: bool, size: int) -> Iterator[list]:
    """Articles due for extraction, a batch at a time, by article id."""
    after = ""
    while due := store.pending_articles(
        con, version, after=after, limit=size, force=force, since=window.since, until=window.until
    ):
        yield due
        after = due[-1]["article_id"]


def _window_days(window: Window) -> set[date]:
    """Every day of a bounded window (an open ``until`` means today, UTC)."""
    if window.since is None:
        return set()
    until = window.until or datetime.now(UTC).date()
    return {window.since + timedelta(days=n) for n in range((until - window.since).days + 1)}
