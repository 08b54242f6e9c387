"""Which partitions a publish rewrites, the ledger of publishes, and which old files may go.

Each publish is a generation in ``published_partitions``: one row per partition, naming its
file. A new generation takes the previous one's file for every partition whose fingerprint is
unchanged and writes a new file (never overwriting one) for every other. The generation is
committed before the views file that names it is renamed into place, so a publish killed in
between leaves a recorded generation whose files all exist, which the next publish builds on.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from warehouse.partitions import fingerprint_sql, published_tables, quote, write_partitions

KEEP_AT_LEAST = 3  # generations: the current one, .prev's, and one a killed publish recorded
CHANGED = """
SELECT c.table_name, c.part, c.row_count, c.fingerprint
FROM current_partitions c
LEFT JOIN published_partitions p
  ON p.generation = $last AND p.table_name = c.table_name AND p.part = c.part
 AND p.row_count = c.row_count AND p.fingerprint = c.fingerprint
WHERE p.file IS NULL
ORDER BY 1, 2
"""
CARRIED = """
INSERT INTO published_partitions
SELECT $generation, $now, c.table_name, c.part, p.file, c.row_count, c.fingerprint
FROM current_partitions c
JOIN published_partitions p
  ON p.generation = $last AND p.table_name = c.table_name AND p.part = c.part
 AND p.row_count = c.row_count AND p.fingerprint = c.fingerprint
"""


def write_changed_partitions(con: duckdb.DuckDBPyConnection, parts: Path) -> str:
    """Write every partition that changed since the last publish; returns the new generation."""
    generation = f"{time.time_ns():020d}"
    now = datetime.now(UTC)
    last = latest_generation(con)
    tables = published_tables(con)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE current_partitions AS "
        + " UNION ALL ".join(f"({fingerprint_sql(table)})" for table in tables)
    )
    changed = con.execute(CHANGED, {"last": last}).fetchall()
    written = []
    for table in dict.fromkeys(row[0] for row in changed):
        mine = [row for row in changed if row[0] == table]
        files = write_partitions(con, table, [row[1] for row in mine], parts, generation)
        for _table, part, rows, fingerprint in mine:
            _check_written(con, parts / files[part], rows)
            written.append((generation, now, table, part, files[part], rows, fingerprint))
    con.execute("BEGIN TRANSACTION")
    con.execute(CARRIED, {"generation": generation, "now": now, "last": last})
    if written:
        con.executemany("INSERT INTO published_partitions VALUES (?, ?, ?, ?, ?, ?, ?)", written)
    con.execute("COMMIT")
    con.execute("DROP TABLE current_partitions")
    return generation


def latest_generation(con: duckdb.DuckDBPyConnection) -> str | None:
    (last,) = con.execute("SELECT max(generation) FROM published_partitions").fetchone()
    return last


def _check_written(con: duckdb.DuckDBPyConnection, path: Path, rows: int) -> None:
    """Read a new file back in full; a short or unreadable one fails the publish."""
    literal = str(path).replace("'", "''")
    (count,) = con.execute(
        f"SELECT count(*) FROM (SELECT hash(*COLUMNS(*)) FROM read_parquet('{literal}'))"
    ).fetchone()
    if count != rows:
        raise RuntimeError(f"{path} reads back {count} rows, expected {rows}")


def collect_garbage(con: duckdb.DuckDBPyConnection, parts: Path, keep: timedelta) -> list[Path]:
    """Forget publishes older than ``keep`` (beyond the last three) and delete the files that
    no remaining publish names: a connection opened on an older snapshot must reconnect."""
    cutoff = datetime.now(UTC) - keep
    con.execute(
        "DELETE FROM published_partitions WHERE published_at < ? AND generation NOT IN "
        "(SELECT DISTINCT generation FROM published_partitions ORDER BY 1 DESC LIMIT ?)",
        [cutoff, KEEP_AT_LEAST],
    )
    named = {f for (f,) in con.execute("SELECT DISTINCT file FROM published_partitions").fetchall()}
    removed = []
    for path in parts.glob("*/*.parquet"):
        if f"{path.parent.name}/{path.name}" not in named:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def restore_tables(con: duckdb.DuckDBPyConnection, parts: Path, manifest: list[tuple]) -> None:
    """Fill a freshly migrated database from the published files (``manifest``: the snapshot's
    ``snapshot_files`` rows) in one transaction, and record them as its last publish so the
    next publish rewrites only what changes after."""
    files: dict[str, list[str]] = {}
    for table, _part, file, _rows, _fingerprint in manifest:
        files.setdefault(table, []).append(file)
    tables = [t for t in published_tables(con) if t in files]
    generation, now = f"{time.time_ns():020d}", datetime.now(UTC)
    con.execute("BEGIN TRANSACTION")
    # event_types first: incidents refer to it; it and the ledger hold the migrations' rows.
    for table in sorted(tables, key=lambda t: t != "event_types"):
        listed = ", ".join("'" + str(parts / f).replace("'", "''") + "'" for f in files[table])
        con.execute(f"DELETE FROM {quote(table)}")
        con.execute(f"INSERT INTO {quote(table)} BY NAME SELECT * FROM read_parquet([{listed}])")
    con.executemany(
        "INSERT INTO published_partitions VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(generation, now, *row) for row in manifest],
    )
    con.execute("COMMIT")
