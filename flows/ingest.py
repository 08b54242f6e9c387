"""Ingest flow: sources → fetch → clean → dedupe → date-normalise → DuckDB.

Reads the sources file (``config/sources.yaml`` unless given), fetches every selected source
(web or archive folder), and writes ``sources``, ``fetches``, ``raw_pages``, ``page_sources``,
``articles``, ``article_duplicates``, ``rejects`` and a ``pipeline_runs`` row into the working
database. All network work happens before the writer lock is taken, each source within its time
budget, so a slow site delays only its own run and never another deployment waiting to write.
When there is anything to read or retract, it then runs the ``summarize`` flow as a subflow,
which reads every article not yet read (late and back-dated ones, and any an earlier failed
summarize left) and rebuilds the daily summaries of the days they touch; the subflow publishes
the snapshot analysts open (``db_path``), once for the whole ingest. A run that found nothing
new starts no subflow and publishes only its own rows.
Pages are cleaned on ``workers`` processes or a Dask cluster (``flows/parallel.py``) and loaded
by this process, batch after batch, in order.

By hand: ``newsdesk ingest [--source sample] [--db data/newsdesk.duckdb]``, or
``prefect deployment run 'ingest/frequent' --param sources='["sample"]'`` on a worker.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import duckdb
from prefect import flow, get_run_logger
from prefect.exceptions import TerminationSignal
from prefect.futures import as_completed
from prefect.runtime import flow_run

from config.settings import CONFIG_DIR, Settings
from config.sources import load_sources, select_sources
from flows import steps
from flows.lifecycle import flow_process
from flows.parallel import in_order
from flows.summarize import summarize
from tasks.fetching.harvest import Harvest
from tasks.fetching.known_urls import KnownUrls
from tasks.incidents.merge import extractor_version
from tasks.process import Window
from tasks.records import RawPage
from tasks.run_counts import IngestCounts
from warehouse import load_articles
from warehouse.incidents import summarize_due
from warehouse.loads import known_urls, load_validators, queue_reprocessing, upsert_sources
from warehouse.runs import finish_run, start_run
from warehouse.session import Log, reader, record_stopped, writer
from warehouse.stage_rows import pending_pages


@flow(name="ingest", log_prints=True)
def ingest(
    sources: list[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    reprocess: bool = False,
    sources_file: str | None = None,
    db_path: str | None = None,
) -> dict:
    """Ingest the enabled sources (or the named ones); returns the run's counts per stage."""
    settings = Settings.overridden(db_path=db_path, sources_file=sources_file)
    window = Window.checked(since, until)
    configured = {s.id: s for s in load_sources(settings.sources_file)}
    selected = select_sources(list(configured.values()), sources)
    logger = get_run_logger()
    run_id = str(flow_run.id or "local")
    parameters = {"sources": sources, "since": since, "until": until, "reprocess": reprocess}
    counts = IngestCounts(sources=[s.id for s in selected])
    with flow_process(log=logger.info):
        try:
            with counts.clock.timed("discover_fetch"):
                harvests = [] if reprocess else _harvest_all(selected, settings, logger.warning)
        except (TerminationSignal, KeyboardInterrupt) as exc:
            record_stopped(settings, run_id, "ingest", parameters, exc, log=logger.info)
            raise
        with writer(settings, log=logger.info, clock=counts.clock, publish_after=False) as con:
            counts.crashed_runs_closed = start_run(con, run_id, "ingest", parameters)
            upsert_sources(con, configured.values())
            try:
                if reprocess:
                    queue_reprocessing(con, [s.id for s in selected])
                with counts.clock.timed("store"):
                    _store_all(con, run_id, harvests, settings.process_batch_size, counts)
                _process_pending(con, run_id, configured, settings, window, counts)
            except Exception as exc:
                finish_run(con, run_id, status="failed", counts=counts.as_dict(), error=repr(exc))
                raise
            finish_run(con, run_id, status=counts.status, counts=counts.as_dict())
            due = summarize_due(con, extractor_version(CONFIG_DIR))
    steps.publish_counts(counts)
    if due:
        with counts.clock.timed("summarize"):
            summarized = summarize(db_path=str(settings.db_path))
        counts.clock.reassign(summarized["publish_seconds"], "summarize", "publish")
    else:  # nothing to read or retract: no subflow, publish this run's own rows
        with writer(settings, log=logger.info, clock=counts.clock):
            pass
    return counts.as_dict()


def _harvest_all(sources, settings: Settings, log: Log) -> list[tuple[str, Harvest | Exception]]:
    """Fetch every source at once, without the writer lock; each source's harvest, or what
    stopped it. Sources share one ``KnownUrls``, so a URL two of them list is fetched once."""
    stored, validators = _published_state(settings, log)
    known = KnownUrls(stored)
    futures = {steps.harvest.submit(s, settings, known, validators): s.id for s in sources}
    results: list[tuple[str, Harvest | Exception]] = []
    for future in as_completed(futures):
        try:
            results.append((futures[future], future.result()))
        except Exception as exc:
            results.append((futures[future], exc))
    return results


def _published_state(settings: Settings, log: Log) -> tuple[set[str], dict]:
    """Known URLs and listing validators as of the last published run.

    The working database is the writer's alone, so the harvest reads the snapshot. Without a
    readable one everything listed is fetched; storing merges any page already held.
    """
    if not settings.db_path.exists():
        return set(), {}
    try:
        con = reader(settings)
        try:
            return known_urls(con), load_validators(con)
        finally:
            con.close()
    except duckdb.Error as exc:
        log(f"cannot read {settings.db_path} ({exc}); fetching as if nothing were stored")
        return set(), {}


def _store_all(con, run_id: str, harvests, batch_size: int, counts: IngestCounts) -> None:
    """Store each source's harvest in its own transaction; a source that failed to fetch or to
    store stops only itself (its pages are rolled back and fetched again next run)."""
    for source_id, result in harvests:
        if isinstance(result, Exception):
            steps.record_source_failure(con, run_id, source_id, result, counts)
            continue
        try:
            steps.store_harvest(con, run_id, result, batch_size)
        except Exception as exc:
            steps.record_source_failure(con, run_id, source_id, exc, counts)
            continue
        counts.add_harvest(result)


def _process_pending(con, run_id: str, sources, settings: Settings, window, counts) -> None:
    """Clean, date, dedupe and load every stored page not yet processed, batch by batch.

    Batches are cleaned on the workers while the writer loads those already back, in order.
    """
    with counts.clock.timed("dedupe"):
        scheme = load_articles.open_dedupe(con, settings)
    now = datetime.now(UTC)
    batches = (
        {"pages": pages, "sources": sources, "settings": settings, "now": now, "window": window}
        for pages in _pending_batches(con, settings.process_batch_size)
    )
    started = time.perf_counter()
    for batch in in_order(steps.process, batches, settings):
        counts.clock.spread(time.perf_counter() - started, batch.clock.seconds)
        steps.load_batch(con, run_id, batch, scheme, counts)
        started = time.perf_counter()  # the next batch's wait starts once this one is loaded


def _pending_batches(con, size: int) -> Iterator[list[RawPage]]:
    """Pending pages in order, a batch at a time; the cursor passes each page once (pages a
    window leaves pending, and those still out on a worker, are not read again)."""
    cursor = None
    while pages := pending_pages(con, limit=size, after=cursor):
        yield pages
        cursor = (pages[-1].fetched_at, pages[-1].url)
