"""Every SQL example in the README runs through `newsdesk query` on the sample and finds rows."""

from __future__ import annotations

import json
import re

import duckdb
import pytest
from typer.testing import CliRunner

from config.settings import PROJECT_DIR
from flows.cli import app

pytestmark = pytest.mark.usefixtures("prefect_harness")

SQL_BLOCK = re.compile(r"^```sql\n(.*?)^```", re.M | re.S)


def readme_statements() -> list[str]:
    blocks = SQL_BLOCK.findall((PROJECT_DIR / "README.md").read_text(encoding="utf-8"))
    con = duckdb.connect()
    try:
        return [
            statement.query.strip()
            for block in blocks
            for statement in con.extract_statements(block)
        ]
    finally:
        con.close()


def test_the_readme_has_sql_examples():
    assert len(readme_statements()) >= 6


@pytest.mark.parametrize("sql", readme_statements(), ids=lambda sql: sql.split("\n")[0][:40])
def test_every_readme_query_returns_rows_on_the_sample(sample_db, sql):
    args = ["query", "--db", str(sample_db), "--format", "jsonl", "--", sql]  # sql opens "--"
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows, f"no rows on the sample for:\n{sql}"
