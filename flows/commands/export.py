"""Command: ``newsdesk export``: incidents, articles or daily summaries as a file.

Reads the published snapshot (read-only), so it runs at any time and never blocks a run.

    newsdesk export incidents --format csv --out incidents.csv --country Azerbaijan
    newsdesk export incidents --acled --format csv --out acled-style.csv --since 2020-10-01
    newsdesk export incidents --format geojson --out incidents.geojson
    newsdesk export daily --format parquet --out daily.parquet --event-type Battles
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.commands.options import (
    Admin1Option,
    CountryOption,
    DbOption,
    EventTypeOption,
    SinceOption,
    UntilOption,
    incident_filter,
    open_snapshot,
)
from warehouse.export_files import ExportFormat, write_export
from warehouse.exports import Dataset, SubEventTypeNotSummarised, export_relation


def export(
    dataset: Annotated[Dataset, typer.Argument(help="What to export.")],
    out: Annotated[Path, typer.Option(help="The file to write (replaced if it exists).")],
    file_format: Annotated[
        ExportFormat, typer.Option("--format", help="File format (geojson: incidents only).")
    ] = ExportFormat.CSV,
    acled: Annotated[
        bool, typer.Option("--acled", help="Incidents under ACLED's column names (codebook).")
    ] = False,
    since: SinceOption = None,
    until: UntilOption = None,
    country: CountryOption = None,
    admin1: Admin1Option = None,
    event_type: EventTypeOption = None,
    db: DbOption = None,
) -> None:
    """Write incidents, articles or daily summaries to a CSV, Parquet, GeoJSON or JSONL file."""
    if dataset is not Dataset.INCIDENTS and (acled or file_format is ExportFormat.GEOJSON):
        option = "--acled" if acled else "--format geojson"
        raise typer.BadParameter(f"{option} applies to incidents only, not {dataset}")
    keep = incident_filter(since, until, country, admin1, event_type)
    con = open_snapshot(db)
    try:
        relation = export_relation(con, dataset, keep, acled=acled)
        written = write_export(relation, file_format, out)
    except SubEventTypeNotSummarised as exc:
        raise typer.BadParameter(str(exc), param_hint="--event-type") from None
    finally:
        con.close()
    typer.echo(f"{written.path}: {written.rows} {dataset} rows ({file_format})")
    if written.left_out:
        typer.echo(
            f"left out {written.left_out} incidents without coordinates (placed only in a "
            "country, or not at all): GeoJSON points need them",
            err=True,
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    app.command("export")(export)
