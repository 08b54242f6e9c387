"""The codebook and the database's own descriptions (COMMENT ON) are one text: every column of
every table and view has a description, and it is the codebook's."""

from pathlib import Path

import pytest

from warehouse.codebook import comment_statements, parse_codebook
from warehouse.db import connect

CODEBOOK = Path(__file__).resolve().parents[2] / "docs" / "codebook.md"


@pytest.fixture(scope="module")
def con():
    connection = connect(":memory:")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def codebook():
    return parse_codebook(CODEBOOK.read_text(encoding="utf-8"))


def described_relations(con) -> dict[str, str | None]:
    return dict(
        con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE NOT internal UNION ALL "
            "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    )


def described_columns(con) -> dict[tuple[str, str], tuple[str, str | None]]:
    rows = con.execute(
        "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
        "WHERE NOT internal"
    ).fetchall()
    return {(table, column): (kind, comment) for table, column, kind, comment in rows}


def test_every_table_view_and_column_of_the_database_has_a_description(con):
    assert [name for name, text in described_relations(con).items() if not text] == []
    assert [key for key, (_, text) in described_columns(con).items() if not text] == []


def test_the_database_describes_its_tables_and_views_as_the_codebook_does(con, codebook):
    assert described_relations(con) == {r.name: r.description for r in codebook}


def test_the_codebook_gives_each_columns_type_and_description_as_the_database_has_them(
    con, codebook
):
    in_codebook = {(r.name, c): spec for r in codebook for c, spec in r.columns.items()}
    assert described_columns(con) == in_codebook


def test_comment_statements_quote_what_the_codebook_says():
    [relation] = parse_codebook(
        "## Tables and views\n\n### `notes`\n\nView: what `people` said.\n\n"
        "| column | type | meaning |\n|---|---|---|\n| `said` | VARCHAR | It's a\\|b. |\n"
    )
    assert comment_statements([relation]) == (
        "COMMENT ON VIEW notes IS 'What people said.';\n"
        "COMMENT ON COLUMN notes.said IS 'It''s a|b.';\n"
    )
