"""The `newsdesk` command's conventions: one-line user errors, -h, --version, fixed choices, quiet
progress bars off a terminal, a refused deploy without a server, the run summary."""

from __future__ import annotations

import csv
import io
import os
import pty
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import ClassVar

import pytest
import typer
from typer.testing import CliRunner

from config.settings import PROJECT_DIR, Settings
from flows.cli import NewsdeskCommands, app
from warehouse.db import connect

SAMPLE_PAGE = PROJECT_DIR / "samples/archive/aa-example/armenian-forces-target-ganja.html"
PROGRESS_MARKS = ("\x1b[", "\r", "━")  # rich's cursor control, redraws and bar


def newsdesk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The command as a user runs it, in a process of its own with pipes for its output."""
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        cwd=PROJECT_DIR,
        env=env or os.environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("newsdesk ")
    for word in words:
        assert word in result.stderr


@pytest.fixture
def snapshot(tmp_path) -> Path:
    connect(tmp_path / "news.duckdb").close()
    return tmp_path / "news.duckdb"


def test_a_sql_typo_is_one_line_naming_it(snapshot):
    assert_one_line_error(newsdesk("query", "--db", str(snapshot), "SELEC 1"), '"SELEC"')


def test_a_missing_database_is_one_line_naming_its_path(tmp_path):
    missing = tmp_path / "nowhere.duckdb"
    assert_one_line_error(newsdesk("query", "--db", str(missing), "SELECT 1"), str(missing))


def test_an_impossible_day_is_one_line_naming_it_before_anything_runs(tmp_path):
    result = newsdesk("ingest", "--since", "2020-10-40", "--db", str(tmp_path / "news.duckdb"))
    assert_one_line_error(result, "--since", "2020-10-40")
    assert not list(tmp_path.iterdir())


def test_a_publication_time_that_is_not_iso_is_one_line_naming_it(tmp_path):
    text = tmp_path / "story.txt"
    text.write_text("Shelling killed two people in Stepanakert on Sunday.")
    result = newsdesk("incidents", "--text", str(text), "--published", "Oct 4 2020")
    assert_one_line_error(result, "--published", "Oct 4 2020")


def test_a_time_zone_that_does_not_exist_is_one_line_naming_it():
    result = newsdesk("extract", str(SAMPLE_PAGE), "--timezone", "Mars/Olympus")
    assert_one_line_error(result, "--timezone", "'Mars/Olympus' is not an IANA time zone")
    assert result.stdout == ""


def test_a_bad_setting_in_the_environment_is_one_line_naming_the_variable(snapshot):
    env = os.environ | {"NEWSDESK_PROCESS_BATCH_SIZE": "many"}
    result = newsdesk("query", "--db", str(snapshot), "SELECT 1", env=env)
    assert_one_line_error(result, "NEWSDESK_PROCESS_BATCH_SIZE='many'", "valid integer")


class BuggyCommands(NewsdeskCommands):
    modules: ClassVar = {__name__: ("boom",)}


def register(app: typer.Typer) -> None:
    """A command with a bug, registered the way flows/commands modules register theirs."""

    @app.command("boom")
    def boom() -> None:
        raise RuntimeError("a bug, not the user's mistake")


def test_a_real_bug_keeps_its_traceback():
    with pytest.raises(RuntimeError, match="a bug"):
        BuggyCommands(name="newsdesk").main(["boom"])


def test_deploy_without_a_prefect_server_refuses_and_says_what_to_set(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    result = newsdesk("deploy", env=env | {"PREFECT_HOME": str(tmp_path / "prefect")})
    assert_one_line_error(result, "PREFECT_API_URL=http://")


def test_trigger_of_a_deployment_prefect_yaml_does_not_declare_is_refused_naming_the_known():
    result = newsdesk("trigger", "ingest/hourly")
    assert_one_line_error(result, "'ingest/hourly'", "ingest/frequent", "backfill/manual")


def test_version_and_short_help():
    runner = CliRunner()
    assert runner.invoke(app, ["--version"]).stdout == f"newsdesk {version('newsdesk')}\n"
    assert runner.invoke(app, ["-h"]).stdout == runner.invoke(app, ["--help"]).stdout
    short = runner.invoke(app, ["query", "-h"])
    assert short.exit_code == 0 and short.stdout == runner.invoke(app, ["query", "--help"]).stdout


def test_query_csv_is_read_back_by_a_csv_reader_field_for_field(snapshot):
    sql = "SELECT 'He said \"no\", twice' AS sentence, 3 AS killed, NULL AS note, [1, 2] AS ids"
    result = CliRunner().invoke(app, ["query", "--db", str(snapshot), "--format", "csv", sql])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["sentence", "killed", "note", "ids"],
        ['He said "no", twice', "3", "", "[1, 2]"],
    ]


def test_an_unknown_query_format_is_refused_before_the_database_is_opened(tmp_path):
    result = newsdesk("query", "--db", str(tmp_path / "missing.duckdb"), "--format", "xml", "x")
    assert_one_line_error(result, "'xml' is not one of 'table', 'csv', 'jsonl'")


def test_extract_shows_no_progress_bar_into_a_pipe():
    result = newsdesk("extract", str(SAMPLE_PAGE), str(SAMPLE_PAGE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 2
    for mark in PROGRESS_MARKS:
        assert mark not in result.stdout + result.stderr


def test_extract_shows_a_progress_bar_on_a_terminal():
    """Only stderr is a terminal here, so the JSON lines still go unadorned to the pipe."""
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "flows.cli", "extract", str(SAMPLE_PAGE)],
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=terminal,
            text=True,
            timeout=300,
        )
        os.close(terminal)
        terminal = None
        drawn = _read_all(controller)
    finally:
        os.close(controller)
        if terminal is not None:
            os.close(terminal)
    assert result.returncode == 0
    assert "extracting pages" in drawn and "\x1b[" in drawn
    assert "\x1b[" not in result.stdout


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the terminal side is closed: everything has been read
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.usefixtures("prefect_harness")
def test_ingest_ends_with_a_summary_of_time_counts_and_where_the_rejects_are(tmp_path):
    db = tmp_path / "news.duckdb"
    sources = Settings().sources_file
    args = ["ingest", "--source", "sample", "--sources", str(sources), "--db", str(db)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ingest completed in ") and lines[0].endswith(" s")
    assert "  articles_loaded      28" in lines
    assert "tables: articles 28, unique_stories 22" in result.stdout
    assert "rejects this run: 2; list them with:" in result.stdout
    assert 'newsdesk query "SELECT stage, reason, url, detail FROM rejects' in result.stdout
    for mark in PROGRESS_MARKS:
        assert mark not in result.stdout + result.stderr
