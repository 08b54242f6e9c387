"""Commands: ``newsdesk incidents``: the incidents of one text, or of many, as JSON lines.

Reads a text file (``--text``) or a JSON-lines file of ``{"id", "text", "published_at"}``
(``--jsonl``) and prints one JSON object per incident. Its keys are the columns of the
``incidents`` table except the run that wrote it (one text being one article from one source),
so rows printed here and rows queried from the warehouse compare column for column; ``source``
and ``sentences`` are what the text's ``incident_mentions`` row would hold: the evidence, with
offsets and figures. A JSON line that is not such an article prints a ``{"line", "reject"}``
object instead and the rest still run. Nothing is written.

    newsdesk incidents --text story.txt --published 2020-10-04T09:00:00 --timezone Asia/Baku
    newsdesk incidents --jsonl articles.jsonl

``newsdesk incidents list`` shows the warehouse's incidents instead (the published snapshot,
read-only), filtered like ``newsdesk export``: a table for people, ``--json`` lines for scripts.

    newsdesk incidents list --country Azerbaijan --since 2020-10-01 --event-type Battles
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Column, Table

from flows.commands.options import (
    Admin1Option,
    CountryOption,
    DbOption,
    EventTypeOption,
    SinceOption,
    UntilOption,
    incident_filter,
    open_snapshot,
    zone_option,
)
from tasks.incidents.extract import extract_incidents
from tasks.incidents.merge import coding_columns, incident_id, sentence_rows
from tasks.incidents.model import Incident
from tasks.incidents.reader import IncidentReader, default_reader
from tasks.records import Reject, json_value
from tasks.report.daily import figure_text

TABLE_ROWS = 50
NEWEST_FIRST = (
    "event_date DESC, killed_best DESC NULLS LAST, country, admin1, location, incident_id"
)
# Dates, codes and ids are never wrapped or cut (an id is what an analyst looks up next).
TABLE_COLUMNS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("day", {"no_wrap": True}),
    ("event", {}),
    ("place", {}),
    ("iso3", {"no_wrap": True}),
    ("killed / injured", {}),
    ("claim", {"no_wrap": True}),
    ("incident", {"no_wrap": True, "min_width": 16}),
)


def incident_record(incident: Incident, published: datetime, source: str | None) -> dict[str, Any]:
    """The incident as the warehouse would store it for one article, JSON-ready."""
    key = incident.incident_key
    record = {
        "incident_id": incident_id(key),
        "incident_key": key,
        **coding_columns(incident),
        "num_articles": 1,
        "num_sources": 1,
        "first_reported_at": published,
        "source": source,
        "sentences": sentence_rows(incident.mentions),
    }
    return json.loads(json.dumps(record, default=json_value))


def incidents_table(rows: list[dict[str, Any]]) -> Table:
    """The incidents as a terminal table: what happened, where, how many, and who says so."""
    # New Column objects each time: a rich Column keeps the cells of the table it was used in.
    columns = (Column(header, **style) for header, style in TABLE_COLUMNS)
    table = Table(*columns, title=f"{len(rows)} incident{'' if len(rows) == 1 else 's'}")
    for row in rows:
        place = ", ".join(str(part) for part in (row["location"], row["admin1"]) if part)
        table.add_row(
            row["event_date"].isoformat(),
            row["sub_event_type"],
            place or "(unplaced)",
            row["country"] or "",
            f"{figure_text(row, 'killed')} / {figure_text(row, 'injured')}",
            row["claim_status"],
            row["incident_id"],
        )
    return table


def _print_incidents(
    reader: IncidentReader,
    text: str,
    published: datetime,
    timezone: str,
    source: str | None,
    article_id: object = None,
) -> None:
    incidents = extract_incidents(text, published, reader=reader, timezone=timezone, source=source)
    if article_id is not None and not incidents:
        typer.echo(json.dumps({"id": article_id, "incidents": 0}))
    for incident in incidents:
        record = incident_record(incident, published, source)
        if article_id is not None:
            record = {"id": article_id, **record}
        typer.echo(json.dumps(record, ensure_ascii=False))


def _iso_time(value: str) -> datetime:
    """``--published`` read as ISO 8601; anything else is a usage error naming the value."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO time such as 2020-10-04T09:00:00+04:00",
            param_hint="--published",
        ) from None


def article_or_reject(line: str) -> tuple[object, str, datetime] | Reject:
    """(id, text, published_at) of one JSON line, or why it cannot be read."""
    try:
        article = json.loads(line)
    except json.JSONDecodeError as error:
        return Reject("incidents", "bad_json", None, None, str(error)[:300])
    if not isinstance(article, dict) or not isinstance(article.get("text"), str):
        return Reject("incidents", "no_text", None, None, line[:300])
    try:
        published = datetime.fromisoformat(str(article.get("published_at")))
    except ValueError:
        return Reject(
            "incidents", "bad_published_at", None, None, str(article.get("published_at"))[:300]
        )
    return article.get("id"), article["text"], published


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI: ``incidents`` reads text, ``incidents list`` the
    warehouse (a group whose own options keep the text-reading behaviour)."""
    group = typer.Typer(invoke_without_command=True, no_args_is_help=True)
    group.callback()(incidents)
    group.command("list")(list_incidents)
    app.add_typer(group, name="incidents")


def incidents(
    context: typer.Context,
    text: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="A plain-text article.")
    ] = None,
    published: Annotated[str | None, typer.Option(help="ISO publication time of --text.")] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help='JSON lines {"id", "text", "published_at"}: many texts in one process.',
        ),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Source name for the mentions.")] = None,
    timezone: Annotated[str, zone_option("The source's timezone for relative dates.")] = "UTC",
) -> None:
    """Print the incidents a text reports, one JSON object per line; `list` shows the
    warehouse's."""
    if context.invoked_subcommand is not None:
        if text is not None or jsonl is not None:
            raise typer.BadParameter(
                f"--text and --jsonl read text; `{context.invoked_subcommand}` reads the warehouse"
            )
        return
    if (text is None) == (jsonl is None):
        raise typer.BadParameter("give exactly one of --text or --jsonl")
    if text is not None:
        if published is None:
            raise typer.BadParameter("--text needs --published")
        _print_incidents(
            default_reader(),
            text.read_text(encoding="utf-8"),
            _iso_time(published),
            timezone,
            source,
        )
        return
    reader = default_reader()
    for number, line in enumerate(jsonl.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        read = article_or_reject(line)
        if isinstance(read, Reject):
            typer.echo(json.dumps({"line": number, "reject": dataclasses.asdict(read)}))
            continue
        article_id, article_text, published_at = read
        _print_incidents(reader, article_text, published_at, timezone, source, article_id)


def list_incidents(
    since: SinceOption = None,
    until: UntilOption = None,
    country: CountryOption = None,
    admin1: Admin1Option = None,
    event_type: EventTypeOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per incident (every column).")
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option(min=0, help=f"Most recent N (0: all; table default {TABLE_ROWS})."),
    ] = None,
    db: DbOption = None,
) -> None:
    """List the warehouse's incidents, most recent first, with the export's filters."""
    # DuckDB and Arrow only here: reading a text (`incidents --text`) starts without them
    from warehouse.export_files import rows_of
    from warehouse.exports import Dataset, export_relation

    keep = incident_filter(since, until, country, admin1, event_type)
    shown = TABLE_ROWS if limit is None and not as_json else limit
    con = open_snapshot(db)
    try:
        relation = export_relation(con, Dataset.INCIDENTS, keep).order(NEWEST_FIRST)
        (total,) = relation.aggregate("count(*)").fetchall()[0]
        rows = list(rows_of(relation.limit(shown) if shown else relation))
    finally:
        con.close()
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, default=json_value, ensure_ascii=False))
        return
    Console().print(incidents_table(rows))
    if len(rows) < total:
        typer.echo(f"{len(rows)} of {total} incidents shown; --limit 0 shows all", err=True)
