"""Commands: ``newsdesk summarize`` (run the flow) and ``newsdesk report`` (write the HTML page).

newsdesk summarize [--since 2020-10-01 --until 2020-10-07] [--force] [--db PATH]
newsdesk report --date 2020-10-04 --out reports/ [--days 30] [--db PATH]
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from config.settings import Settings
from flows.commands.errors import UserError
from flows.commands.ingest import DbOption, existing_database
from flows.commands.options import day_option
from flows.commands.progress import flow_progress
from flows.commands.run_summary import JsonOption, print_run_summary
from tasks.process import Window
from tasks.report.daily import daily_html, write_report
from warehouse import incidents as store
from warehouse.session import reader


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""

    @app.command("summarize")
    def summarize(
        since: Annotated[datetime | None, day_option("First publication day to read.")] = None,
        until: Annotated[datetime | None, day_option("Last publication day to read.")] = None,
        force: Annotated[bool, typer.Option(help="Read every article again.")] = False,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Extract incidents from new articles, merge them and rebuild the daily summaries."""
        from flows.summarize import summarize as summarize_flow  # starts Prefect: only when run

        settings = Settings.overridden(db_path=db)
        existing_database(settings)
        since, until = (day.date() if day else None for day in (since, until))
        try:
            Window.checked(since, until)
        except ValueError as exc:
            raise UserError(str(exc)) from exc
        started = time.monotonic()
        with flow_progress():
            counts = summarize_flow(
                since=since,
                until=until,
                db_path=str(settings.db_path),
                force=force,
            )
        print_run_summary("summarize", counts, started, settings, as_json)

    @app.command("report")
    def report(
        date: Annotated[
            datetime, typer.Option("--date", formats=["%Y-%m-%d"], help="The day to report.")
        ],
        out: Annotated[Path, typer.Option(help="Folder to write the HTML page into.")],
        days: Annotated[int, typer.Option(min=1, help="Days shown in the chart.")] = 30,
        db: DbOption = None,
    ) -> None:
        """Write a static HTML page of one day's incidents, each linked to its evidence."""
        settings = Settings.overridden(db_path=db)
        existing_database(settings)
        day = date.date()
        con = reader(settings)
        try:
            incidents = store.incidents_on(con, day)
            evidence = store.evidence_of(con, [row["incident_id"] for row in incidents])
            totals = store.daily_totals(con, day - timedelta(days=days - 1), day)
        finally:
            con.close()
        path = write_report(out, day, daily_html(day, incidents, evidence, totals))
        typer.echo(f"{path} ({len(incidents)} incidents)")
