"""Prefect tasks: thin wrappers that run the plain stages on batches.

One task per source or per batch of pages, never per article. Retries are for transient
failures only (network and disk hiccups); a bad page or source is a reject, not an exception.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import duckdb
import requests
from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from config.settings import Settings
from config.sources import Source
from tasks.fetching.fetch import Fetcher
from tasks.fetching.harvest import Harvest, harvest_source
from tasks.fetching.known_urls import KnownUrls
from tasks.process import ProcessedBatch, Window, process_pages
from tasks.records import RawPage, Reject
from tasks.run_counts import IngestCounts
from warehouse import load_articles, loads, stage_rows
from warehouse.near_duplicates import DedupeScheme

TRANSIENT = (requests.ConnectionError, requests.Timeout, OSError, duckdb.IOException)


def _transient_only(task, task_run, state) -> bool:
    """Retry what may work next time; a programming error would fail the same way again."""
    try:
        state.result()
    except TRANSIENT:
        return True
    except Exception:
        return False
    return False


RETRYING = {
    "retries": 2,
    "retry_delay_seconds": [5, 30],
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": _transient_only,
    "cache_policy": NO_CACHE,
}


@task(name="harvest-source", **RETRYING)
def harvest(
    source: Source,
    settings: Settings,
    known_urls: KnownUrls,
    validators: Mapping[str, tuple[str | None, str | None]],
) -> Harvest:
    """Discover and fetch one source within its time budget; network only, nothing written."""
    with Fetcher(settings, state_dir=settings.db_path.parent / ".politeness") as fetcher:
        result = harvest_source(source, fetcher, known_urls=known_urls, validators=validators)
    if result.left_over:
        get_run_logger().warning(
            "source %s used its time budget of %g s; %d URLs left for the next run",
            source.id,
            settings.source_time_budget,
            result.left_over,
        )
    return result


@task(name="store-harvest", **RETRYING)
def store_harvest(
    con: duckdb.DuckDBPyConnection, run_id: str, result: Harvest, batch_size: int
) -> None:
    """Keep the raw pages, who listed what, the request log, rejects and validators in one
    transaction (a listing's validators must not outlive the links it gave). Pages go in
    ``batch_size`` at a time from the harvest's spool, so memory does not grow with the source."""
    with loads.transaction(con):
        for pages in result.pages.batches(batch_size):
            loads.store_raw_pages(con, stage_rows.raw_page_rows(run_id, pages))
        loads.record_listings(con, run_id, result.source_id, result.listed)
        loads.record_fetches(con, stage_rows.fetch_rows(run_id, result.fetches))
        loads.record_rejects(con, run_id, stage_rows.reject_rows(result.rejects))
        loads.save_validators(con, result.validators)


@task(name="process-pages", timeout_seconds=1800, cache_policy=NO_CACHE)
def process(
    pages: Sequence[RawPage],
    sources: Mapping[str, Source],
    settings: Settings,
    now: datetime,
    window: Window,
) -> ProcessedBatch:
    """Clean and date one batch of pages (CPU only, nothing written)."""
    return process_pages(pages, sources, settings, now=now, window=window)


def record_source_failure(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    source_id: str,
    exc: Exception,
    counts: IngestCounts,
) -> None:
    """A source whose task failed after its retries: logged, rejected, and the run goes on."""
    reason = f"{type(exc).__name__}: {exc}"
    get_run_logger().error("source %s failed: %s", source_id, reason)
    failure = Reject("discover", "source_failed", source_id, None, reason)
    with loads.transaction(con):
        loads.record_rejects(con, run_id, stage_rows.reject_rows([failure]))
    counts.add_rejects([failure])
    counts.fail_source(source_id, reason)


@task(name="load-batch", cache_policy=NO_CACHE)
def load_batch(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    batch: ProcessedBatch,
    scheme: DedupeScheme,
    counts: IngestCounts,
) -> None:
    """Dedupe and load one processed batch in one transaction."""
    load_articles.load_batch(con, run_id, batch, scheme, counts)


def publish_counts(counts: IngestCounts) -> None:
    """The run's counts as a Prefect table artifact, next to the pipeline_runs row."""
    create_table_artifact(
        key="ingest-counts",
        table=counts.table(),
        description=f"newsdesk ingest: {counts.status}",
    )
