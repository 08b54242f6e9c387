"""The file analysts open: a small DuckDB database of views over the published Parquet files.

Each table of the working database becomes a view that reads exactly the files of its current
partitions (cast back to the table's own column types), the analyst views (``unique_stories``,
``incident_evidence``) are recreated over them, and ``snapshot_files`` lists which file holds
each partition; the working database's descriptions (``COMMENT ON``) are carried onto the views.
The file is written in DuckDB's v1.5.0 storage format, the newest that the DuckDB
CLI on PyPI (``duckdb-cli`` 1.5.x) reads, so an analyst's own DuckDB opens it too.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.partitions import HIDDEN, columns, published_tables, quote

STORAGE_VERSION = "v1.5.0"
ALIAS = "snapshot_out"
MANIFEST_DDL = (
    f"CREATE TABLE {ALIAS}.main.snapshot_files (table_name VARCHAR, part VARCHAR, "
    "file VARCHAR, row_count BIGINT, fingerprint UBIGINT)"
)


def parts_folder(snapshot: Path) -> Path:
    """Where the snapshot's Parquet partitions live: ``<name>.parts`` beside it."""
    return snapshot.with_name(snapshot.name + ".parts")


def write_views_file(
    con: duckdb.DuckDBPyConnection, target: Path, parts: Path, generation: str
) -> None:
    """Write the views file of ``generation`` (recorded in ``published_partitions``) to target."""
    home = con.execute("SELECT current_database()").fetchone()[0]
    views = con.execute(
        "SELECT view_name, sql FROM duckdb_views() "
        "WHERE database_name = current_database() AND NOT internal ORDER BY view_oid"
    ).fetchall()
    tables = published_tables(con)
    files = _files_by_table(con, generation)
    column_types = {table: columns(con, table) for table in tables}
    described = _comments(con)
    con.execute(f"ATTACH '{_literal(target)}' AS {ALIAS} (STORAGE_VERSION '{STORAGE_VERSION}')")
    try:
        con.execute(MANIFEST_DDL)
        con.execute(
            f"INSERT INTO {ALIAS}.main.snapshot_files SELECT table_name, part, file, row_count, "
            "fingerprint FROM published_partitions WHERE generation = ? ORDER BY ALL",
            [generation],
        )
        con.execute(f"USE {ALIAS}")
        for table in tables:
            paths = [parts / name for name in files.get(table, [])]
            shown = [c for c in column_types[table] if c[0] not in HIDDEN.get(table, ())]
            con.execute(f"CREATE VIEW {quote(table)} AS {_select(shown, paths)}")
        for _name, sql in views:
            con.execute(sql)
        _describe(con, described, shown={*tables, *(name for name, _ in views)})
    finally:
        con.execute(f"USE {quote(home)}")
        con.execute(f"DETACH {ALIAS}")


def _comments(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None, str]]:
    """(relation, column or None, comment) of every described table, view and column."""
    return con.execute(
        "SELECT table_name, NULL, comment FROM duckdb_tables() WHERE comment IS NOT NULL "
        "AND database_name = current_database() UNION ALL "
        "SELECT view_name, NULL, comment FROM duckdb_views() WHERE comment IS NOT NULL "
        "AND database_name = current_database() AND NOT internal UNION ALL "
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE comment IS NOT NULL "
        "AND database_name = current_database()"
    ).fetchall()


def _describe(con: duckdb.DuckDBPyConnection, described: list, shown: set[str]) -> None:
    """The working database's descriptions (COMMENT ON) on the views that show its tables."""
    for relation, column, comment in described:
        if relation not in shown or column in HIDDEN.get(relation, ()):
            continue
        text = "'" + comment.replace("'", "''") + "'"
        if column is None:
            con.execute(f"COMMENT ON VIEW {quote(relation)} IS {text}")
        else:
            con.execute(f"COMMENT ON COLUMN {quote(relation)}.{quote(column)} IS {text}")


def _files_by_table(con: duckdb.DuckDBPyConnection, generation: str) -> dict[str, list[str]]:
    rows = con.execute(
        "SELECT table_name, list(file ORDER BY part) FROM published_partitions "
        "WHERE generation = ? GROUP BY ALL",
        [generation],
    ).fetchall()
    return dict(rows)


def _select(typed: list[tuple[str, str]], paths: list[Path]) -> str:
    """The rows of ``paths`` with the table's own types; no rows (typed) when there are none."""
    if not paths:
        nulls = ", ".join(f"CAST(NULL AS {kind}) AS {quote(name)}" for name, kind in typed)
        return f"SELECT {nulls} WHERE false"
    cast = ", ".join(f"CAST({quote(name)} AS {kind}) AS {quote(name)}" for name, kind in typed)
    listed = ", ".join(f"'{_literal(path)}'" for path in paths)
    return f"SELECT {cast} FROM read_parquet([{listed}])"


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")
