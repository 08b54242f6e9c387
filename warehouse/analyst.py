"""The analyst's connection: `newsdesk query` may read the snapshot and nothing else.

Two locks, because either alone leaves a hole. DuckDB's own settings (external access off but
for the snapshot's Parquet folder, then the configuration locked so SQL cannot turn it back on)
stop what a statement reaches outside the snapshot: ``read_csv('/etc/passwd')``, ``COPY ... TO``,
``ATTACH`` of the working file, ``INSTALL``. The statement check stops what DuckDB would allow
on a read-only file (``SET``, ``USE``, ``PREPARE``, ...) and turns every refusal into one
sentence before anything runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from warehouse.snapshot_views import parts_folder

READ_TYPES = frozenset({duckdb.StatementType.SELECT})  # SELECT, WITH, FROM, DESCRIBE, SHOW, ...
# PRAGMAs that only report; the ones that set something are refused.
READ_PRAGMAS = frozenset(
    {"table_info", "show", "show_tables", "show_tables_expanded", "database_list",
     "database_size", "storage_info", "version", "platform", "functions", "collations"}
)  # fmt: skip
LEADING_COMMENTS = r"^\s*(?:(?:--[^\n]*(?:\n|$)|/\*.*?\*/)\s*)*"
EXPLAIN = re.compile(LEADING_COMMENTS + r"EXPLAIN\s+(?:ANALY[SZ]E\s+)?(?P<inner>.*)$", re.I | re.S)
PRAGMA = re.compile(LEADING_COMMENTS + r"PRAGMA\s+(?P<name>\w+)", re.I | re.S)


class RefusedStatement(ValueError):
    """SQL that is not a plain read; the message says which statement and what is allowed."""


def check_read_only(sql: str) -> None:
    """Raise ``RefusedStatement`` unless every statement in ``sql`` only reads.

    Reads are SELECT in all its forms (WITH, FROM-first, VALUES, DESCRIBE, SHOW, SUMMARIZE),
    EXPLAIN [ANALYZE] of one, and the PRAGMAs that only report. A syntax error is refused too,
    with DuckDB's message, so nothing half-parsed ever runs.
    """
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise RefusedStatement(describe_error(exc)) from exc
    if not statements:
        raise RefusedStatement("no SQL statement given")
    for statement in statements:
        if not _reads_only(statement):
            kind = statement.type.name
            raise RefusedStatement(
                f"{kind} is not allowed: newsdesk query runs only reads "
                f"(SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN of a SELECT, "
                f"reporting PRAGMAs); refused: {' '.join(statement.query.split())[:120]}"
            )


def analyst_connection(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to ``path`` that cannot reach files, the network or its settings.

    The one folder it may read is the snapshot's own Parquet partitions, which its views name.
    """
    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET allowed_directories = [?]", [f"{parts_folder(path)}/"])
    con.execute("SET enable_external_access = false")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET lock_configuration = true")
    return con


def describe_error(exc: BaseException) -> str:
    """DuckDB's message on one line (its hints and caret lines are for interactive use)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _reads_only(statement: duckdb.Statement) -> bool:
    if statement.type in READ_TYPES:
        return True
    if statement.type == duckdb.StatementType.EXPLAIN:
        match = EXPLAIN.match(statement.query)
        return match is not None and _is_one_select(match.group("inner"))
    if statement.type == duckdb.StatementType.PRAGMA:
        match = PRAGMA.match(statement.query)
        return match is not None and match.group("name").lower() in READ_PRAGMAS
    return False


def _is_one_select(sql: str) -> bool:
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error:
        return False
    return len(statements) == 1 and statements[0].type in READ_TYPES
