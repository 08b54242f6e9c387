"""Commands: ``newsdesk summarize`` (run the flow) and ``newsdesk report`` (write the HTML page).

newsdesk summarize [--since 2020-10-01 --until 2020-10-07] [--force] [--db PATH]
newsdesk report --out reports/ [--since 2020-09-27] [--until 2020-10-04] [--db PATH]
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from config.settings import Settings
from flows.commands.ingest import DbOption
from tasks.report.charts import country_outlines
from tasks.report.daily import write_report
from tasks.report.page import Period, report_html
from warehouse import incidents as store
from warehouse.session import reader

Day = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""

    @app.command("summarize")
    def summarize(
        since: Day = None,
        until: Day = None,
        force: Annotated[bool, typer.Option(help="Read every article again.")] = False,
        db: DbOption = None,
    ) -> None:
        """Extract incidents from new articles, merge them and rebuild the daily summaries."""
        from flows.summarize import summarize as summarize_flow  # starts Prefect: only when run

        counts = summarize_flow(
            since=since.date() if since else None,
            until=until.date() if until else None,
            db_path=str(db) if db else None,
            force=force,
        )
        typer.echo(json.dumps(counts))

    @app.command("report")
    def report(
        out: Annotated[Path, typer.Option(help="Folder to write the HTML page into.")],
        since: Annotated[
            datetime | None,
            typer.Option(formats=["%Y-%m-%d"], help="First event day [default: UNTIL - 29 days]."),
        ] = None,
        until: Annotated[
            datetime | None,
            typer.Option(formats=["%Y-%m-%d"], help="Last event day [default: the latest one]."),
        ] = None,
        db: DbOption = None,
    ) -> None:
        """Write a static HTML page of a period's incidents: chart, map, evidence for each."""
        settings = Settings.overridden(db_path=db)
        if not settings.db_path.exists():
            raise typer.BadParameter(f"no database at {settings.db_path}; run ingest first")
        con = reader(settings)
        try:
            last = until.date() if until else store.latest_event_date(con) or date.today()
            first = since.date() if since else last - timedelta(days=29)
            if first > last:
                raise typer.BadParameter(f"--since {first} is after --until {last}")
            period = Period(first, last)
            incidents = store.incidents_between(con, period.since, period.until)
            evidence = store.evidence_of(con, [row["incident_id"] for row in incidents])
        finally:
            con.close()
        html = report_html(period, incidents, evidence, country_outlines())
        path = write_report(out, period.file_name, html)
        typer.echo(f"{path} ({len(incidents)} incidents, {period.title})")
