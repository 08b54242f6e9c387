"""Idempotent loads: every batch goes in through Arrow and ``MERGE`` on its natural key.

Loading the same batch twice leaves the tables as they were after the first time, and each
batch is one transaction, so a run killed part-way leaves whole batches or nothing.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from config.sources import Source

TS = pa.timestamp("us", tz="UTC")

SOURCES_SCHEMA = pa.schema(
    [("source_id", pa.string()), ("name", pa.string()), ("kind", pa.string()),
     ("location", pa.string()), ("timezone", pa.string()), ("enabled", pa.bool_()),
     ("settings", pa.string()), ("updated_at", TS)]
)  # fmt: skip
FETCHES_SCHEMA = pa.schema(
    [("run_id", pa.string()), ("source_id", pa.string()), ("url", pa.string()),
     ("status", pa.int32()), ("bytes", pa.int64()), ("elapsed_ms", pa.float64()),
     ("attempts", pa.int32()), ("error", pa.string()), ("fetched_at", TS)]
)  # fmt: skip
RAW_SCHEMA = pa.schema(
    [("url", pa.string()), ("requested_url", pa.string()), ("source_id", pa.string()),
     ("status", pa.int32()), ("headers", pa.string()), ("body_zlib", pa.binary()),
     ("body_sha256", pa.string()), ("bytes", pa.int64()), ("listed_date", pa.string()),
     ("listed_title", pa.string()), ("fetched_at", TS), ("run_id", pa.string()),
     ("processed_at", TS)]
)  # fmt: skip
REJECTS_SCHEMA = pa.schema(
    [("reject_id", pa.string()), ("stage", pa.string()), ("reason", pa.string()),
     ("source_id", pa.string()), ("url", pa.string()), ("detail", pa.string()),
     ("first_run_id", pa.string()), ("last_run_id", pa.string()), ("first_seen_at", TS),
     ("last_seen_at", TS), ("occurrences", pa.int32())]
)  # fmt: skip
ALIASES_SCHEMA = pa.schema([("requested_url", pa.string()), ("url", pa.string())])
LISTINGS_SCHEMA = pa.schema(
    [("url", pa.string()), ("source_id", pa.string()), ("first_run_id", pa.string()),
     ("first_seen_at", TS)]
)  # fmt: skip
VALIDATORS_SCHEMA = pa.schema(
    [("url", pa.string()), ("etag", pa.string()), ("last_modified", pa.string()),
     ("updated_at", TS)]
)  # fmt: skip


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Commit on success, roll back on any error, so no half-written batch survives."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def merge_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    key: str,
    rows: Sequence[dict[str, Any]],
    schema: pa.Schema,
    *,
    update: str = "UPDATE BY NAME",
) -> int:
    """MERGE a batch into ``table`` on ``key``; duplicate keys in the batch keep the last row.

    ``MERGE`` rejects a batch that matches one target row twice, so the batch is made unique
    first. ``update`` is the WHEN MATCHED action (by default every column by name).
    """
    unique = list({row[key]: row for row in rows}.values())
    if not unique:
        return 0
    batch = pa.Table.from_pylist(unique, schema=schema)
    view = f"_batch_{table}"
    con.register(view, batch)
    try:
        con.execute(
            f'MERGE INTO "{table}" AS t USING "{view}" AS s ON t."{key}" = s."{key}" '
            f"WHEN MATCHED THEN {update} WHEN NOT MATCHED THEN INSERT BY NAME"
        )
    finally:
        with suppress(duckdb.Error):  # an aborted transaction refuses this too; keep its error
            con.unregister(view)
    return len(unique)


def append_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Sequence[dict[str, Any]],
    schema: pa.Schema,
    *,
    keep_existing: bool = False,
) -> int:
    """INSERT a batch; with ``keep_existing`` a row whose key is already there is skipped."""
    if not rows:
        return 0
    view = f"_append_{table}"
    con.register(view, pa.Table.from_pylist(list(rows), schema=schema))
    conflict = " ON CONFLICT DO NOTHING" if keep_existing else ""
    try:
        con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM "{view}"{conflict}')
    finally:
        with suppress(duckdb.Error):  # an aborted transaction refuses this too; keep its error
            con.unregister(view)
    return len(rows)


def upsert_sources(con: duckdb.DuckDBPyConnection, sources: Iterable[Source]) -> int:
    now = datetime.now(UTC)
    rows = [
        {
            "source_id": s.id,
            "name": s.display_name,
            "kind": s.kind,
            "location": s.url or str(s.path),
            "timezone": s.timezone,
            "enabled": s.enabled,
            "settings": s.model_dump_json(),
            "updated_at": now,
        }
        for s in sources
    ]
    return merge_rows(con, "sources", "source_id", rows, SOURCES_SCHEMA)


def record_fetches(con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]]) -> int:
    """Append request-log rows (one per request, so a re-run's 304s are visible too)."""
    return append_rows(con, "fetches", rows, FETCHES_SCHEMA)


def reject_id(stage: str, reason: str, source_id: str | None, url: str | None) -> str:
    key = "\x1f".join((stage, reason, source_id or "", url or ""))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def record_rejects(
    con: duckdb.DuckDBPyConnection, run_id: str, rejects: Iterable[dict[str, Any]]
) -> int:
    """One row per (stage, reason, source, url); seeing it again bumps its count and last run.

    Each reject is a mapping with stage, reason, source_id, url and detail.
    """
    now = datetime.now(UTC)
    rows = [
        {
            "reject_id": reject_id(r["stage"], r["reason"], r["source_id"], r["url"]),
            "stage": r["stage"],
            "reason": r["reason"],
            "source_id": r["source_id"],
            "url": r["url"],
            "detail": (r["detail"] or "")[:2000],
            "first_run_id": run_id,
            "last_run_id": run_id,
            "first_seen_at": now,
            "last_seen_at": now,
            "occurrences": 1,
        }
        for r in rejects
    ]
    update = (
        "UPDATE SET detail = s.detail, last_seen_at = s.last_seen_at, "
        "occurrences = t.occurrences + (t.last_run_id <> s.last_run_id)::INTEGER, "
        "last_run_id = s.last_run_id"
    )
    return merge_rows(con, "rejects", "reject_id", rows, REJECTS_SCHEMA, update=update)


# A page fetched again is due for processing only if its bytes changed: re-processing an
# unchanged page would re-load its article and make summarize read it again. It stays with the
# source that stored it first; page_sources keeps every source that listed it.
RAW_UPDATE = "UPDATE SET " + ", ".join(
    [f"{name} = s.{name}" for name in RAW_SCHEMA.names if name not in ("processed_at", "source_id")]
    + ["processed_at = CASE WHEN t.body_sha256 = s.body_sha256 THEN t.processed_at END"]
)


def store_raw_pages(con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]]) -> int:
    """Keep pages as received (compressed), and every URL each was requested under.

    Rows carry the RAW_SCHEMA columns except ``body_zlib``, ``body_sha256``, ``bytes`` and
    ``processed_at``, which are derived from ``body`` here. A new page, or one whose bytes
    changed, is due for processing.
    """
    prepared = []
    for row in rows:
        body = row["body"]
        prepared.append(
            {
                **{k: v for k, v in row.items() if k != "body"},
                "body_zlib": zlib.compress(body, 6),
                "body_sha256": hashlib.sha256(body).hexdigest(),
                "bytes": len(body),
                "processed_at": None,
            }
        )
    aliases = [
        {"requested_url": row["requested_url"], "url": row["url"]}
        for row in rows
        if row["requested_url"] is not None
    ]
    merge_rows(con, "page_aliases", "requested_url", aliases, ALIASES_SCHEMA)
    return merge_rows(con, "raw_pages", "url", prepared, RAW_SCHEMA, update=RAW_UPDATE)


PENDING_PAGES = """
SELECT url, requested_url, source_id, status, headers, body_zlib, fetched_at,
       listed_date, listed_title
FROM raw_pages
WHERE processed_at IS NULL AND (fetched_at, url) > (?::TIMESTAMPTZ, ?)
ORDER BY fetched_at, url LIMIT ?
"""
BEFORE_EVERYTHING = ("-infinity", "")


def pending_pages(
    con: duckdb.DuckDBPyConnection, *, limit: int = 1000, after: tuple | None = None
) -> list[dict[str, Any]]:
    """Pages stored but not yet cleaned (this run's, and any a crashed run left behind), in
    (fetched_at, url) order after the ``after`` cursor."""
    cursor = con.execute(PENDING_PAGES, [*(after or BEFORE_EVERYTHING), limit])
    names = [d[0] for d in cursor.description]
    pages = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        row["body"] = zlib.decompress(row.pop("body_zlib"))
        row["headers"] = json.loads(row["headers"]) if row["headers"] else {}
        pages.append(row)
    return pages


def mark_processed(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> None:
    if urls:
        con.execute(
            "UPDATE raw_pages SET processed_at = now() WHERE url IN (SELECT unnest(?))",
            [list(urls)],
        )


def queue_reprocessing(
    con: duckdb.DuckDBPyConnection, source_ids: Sequence[str] | None = None
) -> int:
    """Mark stored pages for cleaning again (``newsdesk reprocess``); no refetching."""
    if source_ids:
        result = con.execute(
            "UPDATE raw_pages SET processed_at = NULL WHERE source_id IN (SELECT unnest(?))",
            [list(source_ids)],
        )
    else:
        result = con.execute("UPDATE raw_pages SET processed_at = NULL")
    return int(result.fetchone()[0])


def known_urls(con: duckdb.DuckDBPyConnection) -> set[str]:
    """URLs already stored by any source, final or any they were requested under: not fetched
    again, whichever source lists them next."""
    rows = con.execute(
        "SELECT url FROM raw_pages UNION "
        "SELECT a.requested_url FROM page_aliases a JOIN raw_pages p USING (url)"
    ).fetchall()
    return {r[0] for r in rows}


def record_listings(
    con: duckdb.DuckDBPyConnection, run_id: str, source_id: str, urls: Iterable[str]
) -> int:
    """Note that ``source_id`` listed these URLs; a pair seen before keeps its first sighting."""
    now = datetime.now(UTC)
    rows = [
        {"url": url, "source_id": source_id, "first_run_id": run_id, "first_seen_at": now}
        for url in dict.fromkeys(urls)
    ]
    return append_rows(con, "page_sources", rows, LISTINGS_SCHEMA, keep_existing=True)


def load_validators(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str | None, str | None]]:
    rows = con.execute("SELECT url, etag, last_modified FROM http_validators").fetchall()
    return {url: (etag, modified) for url, etag, modified in rows}


def save_validators(
    con: duckdb.DuckDBPyConnection, validators: dict[str, tuple[str | None, str | None]]
) -> int:
    now = datetime.now(UTC)
    rows = [
        {"url": url, "etag": etag, "last_modified": modified, "updated_at": now}
        for url, (etag, modified) in validators.items()
    ]
    return merge_rows(con, "http_validators", "url", rows, VALIDATORS_SCHEMA)
