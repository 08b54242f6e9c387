"""Commands: ingest, reprocess, query, sources."""

from __future__ import annotations

import csv
import json
import sys
import time
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import duckdb
import typer

from config.settings import Settings
from config.sources import SourceConfigError, load_sources
from flows.commands.errors import UserError
from flows.commands.options import DbOption, day_option
from flows.commands.progress import flow_progress
from flows.commands.run_summary import JsonOption, print_run_summary
from warehouse.analyst import RefusedStatement, analyst_connection, check_read_only, describe_error

SourcesFileOption = Annotated[
    Path | None, typer.Option("--sources", help="Sources YAML (default config/sources.yaml).")
]
SourceIdOption = Annotated[
    list[str] | None, typer.Option("--source", help="Only this source id (repeatable).")
]


class QueryFormat(StrEnum):
    """How ``newsdesk query`` prints rows."""

    table = "table"
    csv = "csv"
    jsonl = "jsonl"


def ingest(
    db: DbOption = None,
    sources_file: SourcesFileOption = None,
    source: SourceIdOption = None,
    since: Annotated[datetime | None, day_option("First publication day.")] = None,
    until: Annotated[datetime | None, day_option("Last publication day.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch, clean, dedupe and date the configured sources into the database."""
    settings = Settings.overridden(db_path=db, sources_file=sources_file)
    _run_ingest(settings, source, as_json, since=_day(since), until=_day(until))


def reprocess(
    db: DbOption = None,
    sources_file: SourcesFileOption = None,
    source: SourceIdOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-run cleaning, dates and dedupe from stored raw pages, without refetching."""
    settings = Settings.overridden(db_path=db, sources_file=sources_file)
    _run_ingest(settings, source, as_json, reprocess=True)


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _run_ingest(settings: Settings, source: list[str] | None, as_json: bool, **options) -> None:
    """Check the request, run the ingest flow with progress bars, print the run's summary."""
    from flows.deployments import checked_request
    from flows.ingest import ingest as ingest_flow

    try:
        _, selected = checked_request(options.get("since"), options.get("until"), source, settings)
    except ValueError as exc:  # SourceConfigError too: a bad file, an unknown id, a reversed range
        raise UserError(str(exc)) from exc
    started = time.monotonic()
    with flow_progress({"harvest-source": len(selected)}):
        counts = ingest_flow(
            sources=source or None,
            sources_file=str(settings.sources_file),
            db_path=str(settings.db_path),
            **options,
        )
    flow = "reprocess" if options.get("reprocess") else "ingest"
    print_run_summary(flow, counts, started, settings, as_json)


def query(
    sql: Annotated[str, typer.Argument(help="SQL to run against the published snapshot.")],
    db: DbOption = None,
    output: Annotated[QueryFormat, typer.Option("--format", help="How rows are printed.")] = (
        QueryFormat.table
    ),
) -> None:
    """Run read-only SQL against the published database (safe while runs are writing).

    Only reads are accepted, and the connection can reach neither files nor the network: a
    refused or failing statement is one line on stderr and exit code 2.
    """
    path = existing_database(Settings.overridden(db_path=db))
    try:
        check_read_only(sql)
        con = analyst_connection(path)
    except (RefusedStatement, duckdb.Error) as exc:
        _refuse(exc)
    try:
        _print_result(con.sql(sql), output)
    except duckdb.Error as exc:
        _refuse(exc)
    finally:
        con.close()


def existing_database(settings: Settings) -> Path:
    """The snapshot to read, or a user error when no run has written one there yet."""
    if not (settings.db_path.exists() or settings.work_db_path.exists()):
        raise UserError(
            f"no database at {settings.db_path}; run `newsdesk ingest` first or give --db"
        )
    return settings.db_path


def _print_result(relation: duckdb.DuckDBPyRelation | None, output: QueryFormat) -> None:
    if relation is None:
        return
    if output is QueryFormat.table:
        relation.show(max_width=200, max_rows=100)
    elif output is QueryFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(relation.columns)
        writer.writerows(map(_csv_cells, relation.fetchall()))
    else:
        names = relation.columns
        for row in relation.fetchall():
            typer.echo(json.dumps(dict(zip(names, row, strict=True)), default=str))


def _csv_cells(row: tuple) -> list:
    """Nested values (lists of evidence sentences, structs) as JSON inside their one field."""
    return [json.dumps(v, default=str) if isinstance(v, list | dict) else v for v in row]


def _refuse(exc: Exception) -> NoReturn:
    """One line on stderr, exit 2: the SQL is the problem, and a traceback would hide that."""
    prefix = (
        "refused" if isinstance(exc, RefusedStatement | duckdb.PermissionException) else "error"
    )
    raise UserError(f"{prefix}: {describe_error(exc)}") from None


def sources(sources_file: SourcesFileOption = None) -> None:
    """List the configured sources and whether they are enabled."""
    settings = Settings.overridden(sources_file=sources_file)
    try:
        configured = load_sources(settings.sources_file)
    except SourceConfigError as exc:
        raise UserError(str(exc)) from exc
    for s in configured:
        state = "enabled " if s.enabled else "disabled"
        typer.echo(f"{s.id:<20} {state} {s.kind:<10} {s.url or s.path}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    for command in (ingest, reprocess, query, sources):
        app.command()(command)
