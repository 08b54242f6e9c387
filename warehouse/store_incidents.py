"""The database side of summarize: store what a batch of articles reported, merge the incidents it
touched again from all their mentions, and rebuild those incidents' days' summaries.

Each batch is one transaction, so a run killed between batches leaves no summary behind its
incidents. An article whose rows the database refuses keeps the evidence it gave before and
becomes a reject; the rest of its batch is stored.
"""

from __future__ import annotations

from datetime import date

import duckdb

from tasks.incidents import merge
from warehouse import incidents as store
from warehouse.loads import record_rejects, transaction
from warehouse.stage_rows import reject_rows

Touched = dict[str, date]  # incident_id -> its event day

# The rows themselves are bad (extractor output the schema refuses), not the database.
REFUSED_ROWS = (duckdb.IntegrityError, duckdb.DataError, TypeError, ValueError)


def store_batch(
    con: duckdb.DuckDBPyConnection, run_id: str, version: str, batch: merge.ExtractedBatch
) -> tuple[Touched, int]:
    """Store the batch in one transaction: (incidents touched, articles that failed).

    DuckDB has no savepoints, so when the database refuses a row the batch is stored again
    article by article, and only the article it refused becomes a reject.
    """
    try:
        return _store(con, run_id, version, batch), len(batch.failed)
    except REFUSED_ROWS:
        return _store_each(con, run_id, version, batch)


def _store_each(
    con: duckdb.DuckDBPyConnection, run_id: str, version: str, batch: merge.ExtractedBatch
) -> tuple[Touched, int]:
    touched: Touched = {}
    failed = 0
    for part in batch.by_article():
        try:
            touched |= _store(con, run_id, version, part)
        except REFUSED_ROWS as exc:
            part = part.refused("invalid_incident", f"{type(exc).__name__}: {exc}")
            touched |= _store(con, run_id, version, part)
        failed += len(part.failed)
    return touched, failed


def _store(
    con: duckdb.DuckDBPyConnection, run_id: str, version: str, batch: merge.ExtractedBatch
) -> Touched:
    """Swap the mentions of the articles read; a failed article's earlier mentions stay."""
    with transaction(con):
        rows = [merge.mention_row(r, run_id, version) for r in batch.reports]
        touched = store.replace_mentions(con, list(batch.incidents_per_article), rows)
        store.record_extractions(con, run_id, version, batch.incidents_per_article, batch.failed)
        record_rejects(con, run_id, reject_rows(batch.rejects))
        refresh(con, run_id, touched)
    return touched


def retract_copies(con: duckdb.DuckDBPyConnection, run_id: str) -> Touched:
    """Articles dedupe has since folded into another story stop counting as evidence."""
    with transaction(con):
        touched = store.retract_copies(con)
        refresh(con, run_id, touched)
    return touched


def rebuild_summaries(con: duckdb.DuckDBPyConnection, days: set[date]) -> int:
    """The window's days, even those no incident touched this run (the daily safety net)."""
    with transaction(con):
        return store.rebuild_daily_summary(con, days)


def refresh(con: duckdb.DuckDBPyConnection, run_id: str, touched: Touched) -> None:
    """Merge each touched incident again from all its stored mentions, then its day's summary.

    Called inside the transaction that moved the mentions, so summaries never lag behind.
    """
    reports = [merge.report_from_row(row) for row in store.mentions_of(con, touched)]
    rows = [merge.incident_row(m, run_id) for m in merge.merge_all(reports)]
    store.upsert_incidents(con, rows, touched)
    store.rebuild_daily_summary(con, set(touched.values()))
