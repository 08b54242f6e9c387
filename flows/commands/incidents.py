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
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.commands.options import zone_option
from tasks.incidents.extract import extract_incidents
from tasks.incidents.merge import coding_columns, incident_id, sentence_rows
from tasks.incidents.model import Incident
from tasks.incidents.reader import IncidentReader, default_reader
from tasks.records import Reject


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
    return json.loads(json.dumps(record, default=_iso))


def _iso(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


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
    """Add this module's commands to the CLI."""

    @app.command("incidents")
    def incidents(
        text: Annotated[
            Path | None, typer.Option(exists=True, dir_okay=False, help="A plain-text article.")
        ] = None,
        published: Annotated[
            str | None, typer.Option(help="ISO publication time of --text.")
        ] = None,
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
        """Print the incidents a text reports, one JSON object per line."""
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
