"""Ingest flow: sources → fetch → clean → dedupe → date-normalise → DuckDB.

Reads the sources file (``config/sources.yaml`` unless given), fetches every selected source
(web or archive folder), and writes ``sources``, ``fetches``, ``raw_pages``, ``articles``,
``article_duplicates``, ``rejects`` and a ``pipeline_runs`` row into the working database, then
publishes the read-only snapshot analysts open (``db_path``). It then runs the ``summarize``
flow as a subflow, which reads every article not yet read (late and back-dated ones, and any an
earlier failed summarize left) and rebuilds the daily summaries of the days they touch.

By hand: ``newsdesk ingest [--source sample] [--db data/newsdesk.duckdb]``, or
``prefect deployment run 'ingest/frequent' --param sources='["sample"]'`` on a worker.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from prefect import flow, get_run_logger
from prefect.futures import as_completed
from prefect.runtime import flow_run

from config.settings import Settings
from config.sources import load_sources, select_sources
from flows import steps
from flows.lifecycle import flow_process
from flows.summarize import summarize
from tasks import load_articles
from tasks.process import Window
from tasks.run_counts import IngestCounts
from tasks.storage import pending_pages
from warehouse.loads import known_urls, load_validators, queue_reprocessing, upsert_sources
from warehouse.runs import finish_run, start_run
from warehouse.session import writer


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
    with flow_process(settings, log=logger.info), writer(settings, log=logger.info) as con:
        counts.crashed_runs_closed = start_run(con, run_id, "ingest", parameters)
        upsert_sources(con, configured.values())
        try:
            if reprocess:
                queue_reprocessing(con, [s.id for s in selected])
            else:
                _harvest_all(con, run_id, selected, settings, counts)
            _process_pending(con, run_id, configured, settings, window, counts)
        except Exception as exc:
            finish_run(con, run_id, status="failed", counts=counts.as_dict(), error=repr(exc))
            raise
        finish_run(con, run_id, status=counts.status, counts=counts.as_dict())
    steps.publish_counts(counts)
    summarize(db_path=str(settings.db_path))
    return counts.as_dict()


def _harvest_all(con, run_id: str, sources, settings: Settings, counts: IngestCounts) -> None:
    """Fetch sources concurrently and store each as it finishes; a source that fails to fetch
    or to store stops only itself (its pages are rolled back and fetched again next run)."""
    validators = load_validators(con)
    futures = {
        steps.harvest.submit(s, settings, known_urls(con, s.id), validators): s for s in sources
    }
    for future in as_completed(futures):
        source = futures[future]
        try:
            result = future.result()
            steps.store_harvest(con, run_id, result)
        except Exception as exc:
            steps.record_source_failure(con, run_id, source.id, exc, counts)
            continue
        counts.add_harvest(result)


def _process_pending(con, run_id: str, sources, settings: Settings, window, counts) -> None:
    """Clean, date, dedupe and load every stored page not yet processed, batch by batch.

    The cursor walks pending pages in order, so pages a window leaves pending are passed once.
    """
    state = load_articles.open_dedupe(con, settings)
    now = datetime.now(UTC)
    cursor = None
    while pages := pending_pages(con, limit=settings.process_batch_size, after=cursor):
        batch = steps.process(pages, sources, settings, now, window)
        steps.load_batch(con, run_id, batch, state, counts)
        cursor = (pages[-1].fetched_at, pages[-1].url)
