"""Write an export relation to a file: CSV, Parquet, GeoJSON or JSON lines.

CSV and Parquet are written by DuckDB itself (``COPY``): CSV quoted as RFC 4180 (a field with a
comma, quote or line break is quoted, quotes doubled), NULL as an empty field, lists (a daily
summary's top locations) joined by "; " since CSV has no lists; Parquet keeps every type. JSON
lines and GeoJSON are written from Arrow batches, dates and times in ISO 8601. The file appears
complete or not at all: it is written beside its name and renamed into place.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb

from tasks.records import json_value
from tasks.report.geojson import feature_collection

BATCH_ROWS = 10_000


class ExportFormat(StrEnum):
    """File formats an export can be written in."""

    CSV = "csv"
    PARQUET = "parquet"
    GEOJSON = "geojson"
    JSONL = "jsonl"


@dataclass(frozen=True)
class Written:
    """What an export wrote: rows in the file, and rows left out (GeoJSON: no coordinates)."""

    path: Path
    rows: int
    left_out: int = 0


def write_export(relation: duckdb.DuckDBPyRelation, fmt: ExportFormat, out: Path) -> Written:
    """Write ``relation`` to ``out`` in ``fmt``; replaces ``out`` only once it is complete."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        if fmt is ExportFormat.CSV:
            _csv_ready(relation).write_csv(str(partial), header=True)
            written = Written(out, _count(relation))
        elif fmt is ExportFormat.PARQUET:
            relation.write_parquet(str(partial))
            written = Written(out, _count(relation))
        elif fmt is ExportFormat.JSONL:
            written = _write_jsonl(relation, partial, out)
        else:
            written = _write_geojson(relation, partial, out)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return written


def rows_of(relation: duckdb.DuckDBPyRelation) -> Iterator[dict[str, Any]]:
    """The relation's rows as dicts, a batch at a time."""
    for batch in relation.fetch_arrow_reader(BATCH_ROWS):
        yield from batch.to_pylist()


def _write_jsonl(relation: duckdb.DuckDBPyRelation, partial: Path, out: Path) -> Written:
    rows = 0
    with partial.open("w", encoding="utf-8") as handle:
        for row in rows_of(relation):
            handle.write(json.dumps(row, default=json_value, ensure_ascii=False) + "\n")
            rows += 1
    return Written(out, rows)


def _write_geojson(relation: duckdb.DuckDBPyRelation, partial: Path, out: Path) -> Written:
    if not {"latitude", "longitude"} <= set(relation.columns):
        raise ValueError("GeoJSON needs latitude and longitude: export incidents")
    collection, unplaced = feature_collection(rows_of(relation))
    with partial.open("w", encoding="utf-8") as handle:
        json.dump(collection, handle, default=json_value, ensure_ascii=False)
    return Written(out, len(collection["features"]), unplaced)


def _csv_ready(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Lists as "; "-joined text: CSV has no lists, and "[a, b]" is no one's format."""
    columns = [
        f"array_to_string({_quoted(name)}, '; ') AS {_quoted(name)}"
        if str(kind).endswith("[]")
        else _quoted(name)
        for name, kind in zip(relation.columns, relation.types, strict=True)
    ]
    return relation.project(", ".join(columns))


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _count(relation: duckdb.DuckDBPyRelation) -> int:
    (count,) = relation.aggregate("count(*)").fetchall()[0]
    return int(count)
