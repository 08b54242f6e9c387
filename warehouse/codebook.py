"""The codebook (``docs/codebook.md``) as data, and as the ``COMMENT ON`` statements that store
its descriptions in the database.

One text for people and for the database: a migration of comments is generated from the
codebook, and a test compares the codebook with the comments of a migrated database, so they
never drift. Regenerate after editing the codebook (a released migration never changes; a new
description goes in a new migration generated the same way, since ``COMMENT ON`` replaces)::

    python -m warehouse.codebook docs/codebook.md > warehouse/migrations/0NN_comments.sql

The format read: under ``## Tables and views``, a ``### `name` `` heading per table or view,
then one paragraph ``Table: ...`` or ``View: ...`` (its comment), then a markdown table of
``| `column` | type | meaning |`` rows. Backticks are dropped and ``\\|`` is a literal bar.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SECTION = "## Tables and views"
HEADING = re.compile(r"^### `(?P<name>\w+)`\s*$")
DESCRIPTION = re.compile(r"^(?P<kind>Table|View): (?P<text>.+)$")
CELL_BORDER = re.compile(r"(?<!\\)\|")


@dataclass
class Relation:
    """A table or view of the codebook: its comment, and each column's type and comment."""

    name: str
    kind: str  # "TABLE" or "VIEW"
    description: str
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (type, text)


def parse_codebook(markdown: str) -> list[Relation]:
    """The tables and views the codebook describes, in its order."""
    relations: list[Relation] = []
    for line in markdown.split(SECTION, 1)[1].splitlines():
        if heading := HEADING.match(line):
            relations.append(Relation(heading["name"], "", ""))
        elif described := DESCRIPTION.match(line):
            relations[-1].kind = described["kind"].upper()
            text = _plain(described["text"])
            relations[-1].description = text[:1].upper() + text[1:]
        elif line.startswith("| `"):
            name, kind, text = (_plain(cell) for cell in CELL_BORDER.split(line)[1:-1])
            relations[-1].columns[name] = (kind, text)
    return relations


def comment_statements(relations: list[Relation]) -> str:
    """``COMMENT ON`` every table, view and column the codebook describes."""
    lines = []
    for relation in relations:
        lines.append(
            f"COMMENT ON {relation.kind} {relation.name} IS {_literal(relation.description)};"
        )
        lines.extend(
            f"COMMENT ON COLUMN {relation.name}.{column} IS {_literal(text)};"
            for column, (_, text) in relation.columns.items()
        )
    return "\n".join(lines) + "\n"


def _plain(cell: str) -> str:
    return cell.strip().replace("`", "").replace("\\|", "|")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


if __name__ == "__main__":
    codebook = Path(sys.argv[1]).read_text(encoding="utf-8")
    sys.stdout.write(
        "-- Generated from docs/codebook.md by `python -m warehouse.codebook docs/codebook.md`:\n"
        "-- edit the codebook, not this file. Every table, view and column described in the\n"
        "-- database, so any DuckDB client shows what a column means (duckdb_columns().comment).\n"
        + comment_statements(parse_codebook(codebook))
    )
