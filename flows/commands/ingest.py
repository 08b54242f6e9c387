"""Commands: ingest, reprocess, query, sources."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import duckdb
import typer

from config.settings import Settings
from config.sources import SourceConfigError, load_sources
from flows.commands.options import DbOption
from warehouse.analyst import RefusedStatement, analyst_connection, check_read_only, describe_error
from warehouse.session import reader

SourcesFileOption = Annotated[
    Path | None, typer.Option("--sources", help="Sources YAML (default config/sources.yaml).")
]
QUERY_FORMATS = ("table", "csv", "jsonl")
SourceIdOption = Annotated[
    list[str] | None, typer.Option("--source", help="Only this source id (repeatable).")
]


def ingest(
    db: DbOption = None,
    sources_file: SourcesFileOption = None,
    source: SourceIdOption = None,
    since: Annotated[str | None, typer.Option(help="First publication day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Last publication day (YYYY-MM-DD).")] = None,
) -> None:
    """Fetch, clean, dedupe and date the configured sources into the database."""
    from flows.ingest import ingest as ingest_flow

    settings = Settings.overridden(db_path=db, sources_file=sources_file)
    counts = ingest_flow(
        sources=source or None,
        since=date.fromisoformat(since) if since else None,
        until=date.fromisoformat(until) if until else None,
        sources_file=str(settings.sources_file),
        db_path=str(settings.db_path),
    )
    _print_counts(counts)
    _print_tables(settings)


def reprocess(
    db: DbOption = None,
    sources_file: SourcesFileOption = None,
    source: SourceIdOption = None,
) -> None:
    """Re-run cleaning, dates and dedupe from stored raw pages, without refetching."""
    from flows.ingest import ingest as ingest_flow

    settings = Settings.overridden(db_path=db, sources_file=sources_file)
    counts = ingest_flow(
        sources=source or None,
        reprocess=True,
        sources_file=str(settings.sources_file),
        db_path=str(settings.db_path),
    )
    _print_counts(counts)


def query(
    sql: Annotated[str, typer.Argument(help="SQL to run against the published snapshot.")],
    db: DbOption = None,
    output: Annotated[str, typer.Option("--format", help="table, csv or jsonl.")] = "table",
) -> None:
    """Run read-only SQL against the published database (safe while runs are writing).

    Only reads are accepted, and the connection can reach neither files nor the network: a
    refused or failing statement is one line on stderr and exit code 2.
    """
    if output not in QUERY_FORMATS:
        raise typer.BadParameter(f"unknown format {output!r}", param_hint="--format")
    try:
        check_read_only(sql)
        con = analyst_connection(Settings.overridden(db_path=db).db_path)
    except (RefusedStatement, duckdb.Error) as exc:
        _refuse(exc)
    try:
        _print_result(con.sql(sql), output)
    except duckdb.Error as exc:
        _refuse(exc)
    finally:
        con.close()


def _print_result(relation: duckdb.DuckDBPyRelation | None, output: str) -> None:
    if relation is None:
        return
    if output == "table":
        relation.show(max_width=200, max_rows=100)
    elif output == "csv":
        typer.echo(",".join(relation.columns))
        for row in relation.fetchall():
            typer.echo(",".join("" if v is None else json.dumps(v, default=str) for v in row))
    else:
        names = relation.columns
        for row in relation.fetchall():
            typer.echo(json.dumps(dict(zip(names, row, strict=True)), default=str))


def _refuse(exc: Exception) -> NoReturn:
    """One line on stderr, exit 2: the SQL is the problem, and a traceback would hide that."""
    prefix = (
        "refused" if isinstance(exc, RefusedStatement | duckdb.PermissionException) else "error"
    )
    typer.echo(f"newsdesk query: {prefix}: {describe_error(exc)}", err=True)
    raise typer.Exit(2) from None


def sources(sources_file: SourcesFileOption = None) -> None:
    """List the configured sources and whether they are enabled."""
    settings = Settings.overridden(sources_file=sources_file)
    try:
        configured = load_sources(settings.sources_file)
    except SourceConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    for s in configured:
        state = "enabled " if s.enabled else "disabled"
        typer.echo(f"{s.id:<20} {state} {s.kind:<10} {s.url or s.path}")


def _print_counts(counts: dict) -> None:
    """The run's counts per stage, one line each; the day list is long, so its span only."""
    days = counts.get("touched_days") or []
    shown = {**counts, "touched_days": f"{len(days)} days, {days[0]} .. {days[-1]}" if days else 0}
    for name, value in shown.items():
        text = json.dumps(value, default=str) if isinstance(value, dict | list) else value
        typer.echo(f"{name:<20} {text}")


def _print_tables(settings: Settings) -> None:
    con = reader(settings)
    try:
        tables = ("articles", "unique_stories", "article_duplicates", "rejects", "fetches")
        for table in (*tables, "incidents", "incident_mentions", "daily_summary"):
            (count,) = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            typer.echo(f"{table:<20} {count:>8} rows")
    finally:
        con.close()


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    for command in (ingest, reprocess, query, sources):
        app.command()(command)
