"""The DuckDB CLI an analyst installs with pip (duckdb-cli 1.5.x) opens the published snapshot."""

import subprocess
import sys
from pathlib import Path

from config.settings import Settings
from tests.warehouse.test_snapshot_partitions import add_articles

CLI = Path(sys.executable).with_name("duckdb")  # installed by the dev extra (pyproject.toml)


def run_cli(database: Path, sql: str) -> str:
    assert CLI.exists(), f"{CLI} missing: install the dev extra (pip install -e '.[dev]')"
    result = subprocess.run(
        [str(CLI), "-readonly", "-csv", "-noheader", str(database), "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_pip_duckdb_cli_is_older_than_the_pipelines_duckdb():
    version = subprocess.run([str(CLI), "-version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("v1.5"), version.stdout


def test_the_pip_duckdb_cli_reads_tables_and_analyst_views_of_the_snapshot(tmp_path):
    settings = Settings(db_path=tmp_path / "news.duckdb")
    add_articles(settings, ("a", "2020-10-01"), ("b", "2020-10-02"))
    titles = run_cli(settings.db_path, "SELECT title FROM articles ORDER BY 1")
    assert titles.split() == ["Title", "a", "Title", "b"]
    stories = run_cli(settings.db_path, "SELECT article_id, copies FROM unique_stories ORDER BY 1")
    assert stories.splitlines() == ["a,0", "b,0"]
    evidence = run_cli(settings.db_path, "SELECT count(*) FROM incident_evidence")
    assert evidence.strip() == "0"
