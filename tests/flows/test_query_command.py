"""`newsdesk query` reads the published snapshot and nothing else, on a real DuckDB file."""

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from config.settings import Settings
from flows.cli import app
from tests.warehouse.test_snapshot_partitions import add_articles
from warehouse.analyst import RefusedStatement, check_read_only
from warehouse.db import connect


@pytest.fixture
def snapshot(tmp_path, monkeypatch) -> Path:
    """A migrated snapshot and, beside it, a working file with rows a run would be writing."""
    for name in ("news.duckdb", ".newsdesk.work.duckdb"):
        connect(tmp_path / name).close()
    monkeypatch.setenv("NEWSDESK_DB_PATH", str(tmp_path / "news.duckdb"))
    return tmp_path / "news.duckdb"


def query(*args: str):
    return CliRunner().invoke(app, ["query", *args])


def event_types_in(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM event_types").fetchone()[0]
    finally:
        con.close()


def assert_refused_in_one_line(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("newsdesk query: refused: ")
    for word in words:
        assert word in result.stderr


def test_attaching_the_working_file_to_delete_from_it_is_refused_and_deletes_nothing(snapshot):
    work = snapshot.parent / ".newsdesk.work.duckdb"
    before = event_types_in(work)
    result = query(f"ATTACH '{work}' AS w (READ_WRITE); DELETE FROM w.event_types")
    assert_refused_in_one_line(result, "ATTACH is not allowed")
    assert before > 0 and event_types_in(work) == before


def test_copy_to_a_file_is_refused_and_writes_no_file(snapshot, tmp_path):
    result = query(f"COPY (SELECT 1) TO '{tmp_path / 'out.csv'}'")
    assert_refused_in_one_line(result, "COPY is not allowed")
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT content FROM read_text('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
    ],
)
def test_reading_the_machines_files_is_refused_by_the_connection(snapshot, sql):
    assert_refused_in_one_line(query(sql), "file system operations are disabled")


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("INSTALL httpfs", "LOAD"),
        ("LOAD httpfs", "LOAD"),
        ("SET enable_external_access = true", "SET"),
        ("CREATE TABLE notes (a INT)", "CREATE"),
        ("INSERT INTO event_types VALUES ('x', 'y')", "INSERT"),
        ("UPDATE incidents SET killed_best = 0", "UPDATE"),
        ("DELETE FROM incidents", "DELETE"),
        ("EXPLAIN ANALYZE DELETE FROM incidents", "EXPLAIN"),
        ("PRAGMA threads = 1", "SET"),
        ("PRAGMA force_checkpoint", "PRAGMA"),
        ("CHECKPOINT", "CALL"),
        ("SELECT 1; DROP TABLE incidents", "DROP"),
    ],
)
def test_statements_that_are_not_reads_are_refused_naming_their_kind(snapshot, sql, kind):
    assert_refused_in_one_line(query(sql), f"{kind} is not allowed")


def test_a_syntax_error_is_one_line_too(snapshot):
    assert_refused_in_one_line(query("SELEC 1"), "Parser Error")


def test_reads_of_the_snapshot_still_work_in_every_form(snapshot):
    for sql in (
        "SELECT count(*) AS n FROM event_types",
        "WITH t AS (SELECT 1 AS n) SELECT n FROM t",
        "DESCRIBE incidents",
        "EXPLAIN SELECT * FROM incidents",
        "PRAGMA table_info('incidents')",
    ):
        result = query(sql, "--format", "jsonl")
        assert result.exit_code == 0, (sql, result.output)
    result = query("SELECT count(*) AS n FROM event_types", "--format", "jsonl")
    assert result.stdout == f'{{"n": {event_types_in(snapshot)}}}\n'


def test_the_statement_check_accepts_reads_behind_comments_and_refuses_writes_behind_them():
    check_read_only("-- the day's events\nSELECT 1")
    check_read_only("/* plan */ EXPLAIN SELECT 1")
    with pytest.raises(RefusedStatement, match="EXPLAIN is not allowed"):
        check_read_only("/* plan */ EXPLAIN ANALYZE DELETE FROM incidents")
    with pytest.raises(RefusedStatement, match="no SQL statement"):
        check_read_only("  ")


def test_a_published_snapshot_is_read_through_its_views_but_no_other_file(tmp_path, monkeypatch):
    settings = Settings(db_path=tmp_path / "published" / "news.duckdb")
    add_articles(settings, ("a", "2020-10-01"))
    monkeypatch.setenv("NEWSDESK_DB_PATH", str(settings.db_path))
    result = query("SELECT article_id, copies FROM unique_stories", "--format", "jsonl")
    assert result.stdout == '{"article_id": "a", "copies": 0}\n'
    assert_refused_in_one_line(
        query(f"SELECT * FROM read_parquet('{settings.work_db_path}')"), "Permission"
    )
