"""Commands: ``newsdesk summarize`` (run the flow) and ``newsdesk report`` (write the HTML page).

newsdesk summarize [--since 2020-10-01 --until 2020-10-07] [--force] [--db PATH]
newsdesk report --out reports/ [--since 2020-09-27] [--until 2020-10-04] [--db PATH]
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
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
from tasks.report.charts import country_outlines
from tasks.report.daily import write_report
from tasks.report.page import Period, report_html
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
        out: Annotated[Path, typer.Option(help="Folder to write the HTML page into.")],
        since: Annotated[
            datetime | None, day_option("First event day [default: UNTIL - 29 days].")
        ] = None,
        until: Annotated[
            datetime | None, day_option("Last event day [default: the latest one].")
        ] = None,
        db: DbOption = None,
    ) -> None:
        """Write a static HTML page of a period's incidents: chart, map, evidence for each."""
        settings = Settings.overridden(db_path=db)
        existing_database(settings)
        con = reader(settings)
        try:
            last = until.date() if until else store.latest_event_date(con) or date.today()
            first = since.date() if since else last - timedelta(days=29)
            if first > last:
                raise UserError(f"--since {first} is after --until {last}")
            period = Period(first, last)
            incidents = store.incidents_between(con, period.since, period.until)
            evidence = store.evidence_of(con, [row["incident_id"] for row in incidents])
        finally:
            con.close()
        html = report_html(period, incidents, evidence, country_outlines())
        try:
            path = write_report(out, period.file_name, html)
        except OSError as exc:
            raise UserError(f"cannot write the report into {out}: {exc.strerror}") from exc
        typer.echo(f"{path} ({len(incidents)} incidents, {period.title})")
