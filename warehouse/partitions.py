"""How each table is cut into Parquet partitions, and how a partition is known to have changed.

A table with a date (or timestamp) column is cut by its UTC day: new articles, fetches and
incidents land in a few recent days, so a run rewrites those days and leaves years of history
alone. Tables with no such column are small (sources, event types, the migration ledger) and
are one file each. Whether a partition changed is decided by a fingerprint of its rows (count
and the XOR of every row's hash), computed in the working database at publish time: it sees
every kind of change (a new row, a merged one, a deleted one, an article that moved to another
day on reprocessing) without any run having to remember what it touched, and a run that was
killed before publishing needs no special handling. Large blobs are left out of the fingerprint
when small columns already change with them (an article's ``content_hash`` and ``updated_at``,
a page's ``body_sha256`` and ``fetched_at``), so a publish reads no body it does not write.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb

# The day column of each partitioned table; a table not named here is one file.
DAY_COLUMNS = {
    "articles": "published_at",
    "article_duplicates": "detected_at",
    "raw_pages": "fetched_at",
    "fetches": "fetched_at",
    "page_sources": "first_seen_at",
    "rejects": "first_seen_at",
    "pipeline_runs": "started_at",
    "http_validators": "updated_at",
    "incidents": "event_date",
    "incident_mentions": "event_date",
    "incident_extractions": "extracted_at",
    "daily_summary": "day",
}
# Columns a fingerprint skips because another column of the row changes whenever they do.
UNHASHED = {"articles": ("body",), "raw_pages": ("body_zlib", "headers")}
# Pipeline bookkeeping that is not published: the publish ledger itself, and the MinHash
# signatures (about 1 KB an article with no day of their own; see warehouse/snapshot.py for
# what a database rebuilt from the snapshot lacks without them).
# Pipeline-internal state analysts never query. The near-duplicate index is not even needed for
# recovery: a working file rebuilt from the snapshot has no signatures and no scheme, so its next
# run fingerprints every stored body again (warehouse/near_duplicates.py).
UNPUBLISHED = frozenset(
    {"published_partitions", "article_minhash", "article_bands", "minhash_scheme"}
)
# Columns the analyst views leave out: the page bytes stay in the Parquet files, for recovery.
HIDDEN = {"raw_pages": ("body_zlib", "headers")}
FEW_PARTITIONS = 8  # more changed partitions of a table than this are written in one pass
STAGING_SUFFIX = ".staging"  # the folder that one pass writes into, inside the parts folder
WHOLE = "all"  # the partition name of a table that is one file
NO_DAY = "none"  # rows whose day column is NULL


def quote(identifier: str) -> str:
    """One identifier, quoted for DuckDB."""
    return '"' + identifier.replace('"', '""') + '"'


def published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every base table of the working database that the snapshot carries."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = 'main' ORDER BY 1"
    ).fetchall()
    return [name for (name,) in rows if name not in UNPUBLISHED]


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """(name, type) of a table's columns, in order."""
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ? "
        "ORDER BY column_index",
        [table],
    ).fetchall()


def fingerprint_sql(table: str) -> str:
    """(table_name, part, row_count, fingerprint) of each partition of ``table``; none if empty."""
    skipped = UNHASHED.get(table, ())
    hashed = f"COLUMNS(* EXCLUDE ({', '.join(map(quote, skipped))}))" if skipped else "COLUMNS(*)"
    name = table.replace("'", "''")
    return (
        f"SELECT '{name}' AS table_name, {_part_expression(table)} AS part, count(*) AS row_count, "
        f"bit_xor(hash(*{hashed})) AS fingerprint FROM {quote(table)} GROUP BY ALL "
        "HAVING count(*) > 0"
    )


def write_partitions(
    con: duckdb.DuckDBPyConnection, table: str, parts: list[str], folder: Path, generation: str
) -> dict[str, str]:
    """Write ``parts`` of ``table`` as new files; returns each part's file, relative to folder.

    A few partitions (a run's usual share) are copied one by one with a filter on the bare day
    column, which DuckDB answers from the row groups' min/max without reading other days' page
    bytes; many (a first publish, a migration that changed every row) in one pass over the table.
    """
    files = {part: f"{table}/{part}.{generation}.parquet" for part in parts}
    if len(parts) <= FEW_PARTITIONS or table not in DAY_COLUMNS:
        for part in parts:
            _write_one(con, table, part, folder / files[part])
        return files
    staging = folder / f".{table}.{generation}{STAGING_SUFFIX}"
    folder.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY (SELECT *, {_part_expression(table)} AS __part FROM {quote(table)} "
        f"WHERE {_part_expression(table)} IN (SELECT unnest($parts))) TO '{_literal(staging)}' "
        "(FORMAT parquet, PARTITION_BY (__part), COMPRESSION zstd)",
        {"parts": parts},
    )
    for part in parts:
        _move_synced(staging / f"__part={part}" / "data_0.parquet", folder / files[part])
    shutil.rmtree(staging)
    return files


def _write_one(con: duckdb.DuckDBPyConnection, table: str, part: str, path: Path) -> None:
    """Copy one partition's rows to ``path`` (Parquet, zstd) through a temporary name."""
    where, params = _partition_filter(con, table, part)
    temporary = path.with_name(path.name + ".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY (SELECT * FROM {quote(table)} WHERE {where}) TO '{_literal(temporary)}' "
        "(FORMAT parquet, COMPRESSION zstd)",
        params,
    )
    _move_synced(temporary, path)


def _move_synced(source: Path, target: Path) -> None:
    """Flush ``source`` to disk, then rename it to ``target``: a file is whole or absent."""
    with open(source, "rb") as handle:
        os.fsync(handle.fileno())
    target.parent.mkdir(parents=True, exist_ok=True)
    source.replace(target)


def _part_expression(table: str) -> str:
    """The partition name of a row: its UTC day, ``none`` without one, ``all`` for small tables."""
    day = DAY_COLUMNS.get(table)
    if day is None:
        return f"'{WHOLE}'"
    return f"coalesce(CAST(CAST({quote(day)} AS DATE) AS VARCHAR), '{NO_DAY}')"


def _partition_filter(con: duckdb.DuckDBPyConnection, table: str, part: str) -> tuple[str, list]:
    """A filter on the bare day column, so DuckDB skips row groups by their min/max."""
    day = DAY_COLUMNS.get(table)
    if day is None or part == WHOLE:
        return "true", []
    if part == NO_DAY:
        return f"{quote(day)} IS NULL", []
    first = date.fromisoformat(part)
    kind = dict(columns(con, table))[day]
    if kind == "DATE":
        return f"{quote(day)} = ?", [first]
    bound = f"CAST(? AS {kind})"
    return f"{quote(day)} >= {bound} AND {quote(day)} < {bound}", [
        first.isoformat(),
        (first + timedelta(days=1)).isoformat(),
    ]


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")
