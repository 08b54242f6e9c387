"""Options several commands share, each refusing a bad value while arguments are parsed, and
turning the incident filters into a checked filter.

A value that cannot be right (a 40th of October, a time zone that does not exist) is a usage
error naming it before any work starts, rather than a traceback from deep inside a run. Not a
command module (it registers nothing), so any command may import it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from typer.models import OptionInfo

from config.settings import Settings
from tasks.incidents.model import EVENT_TYPES
from tasks.report.countries import country_names, iso3_of

if TYPE_CHECKING:
    import duckdb

    from warehouse.exports import IncidentFilter


def day_option(help_text: str) -> OptionInfo:
    """A ``YYYY-MM-DD`` option (read as a ``datetime`` at midnight)."""
    return typer.Option(formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help=help_text)


def zone_option(help_text: str) -> OptionInfo:
    """An IANA time-zone name such as ``Asia/Baku``."""
    return typer.Option(parser=_iana_zone, metavar="ZONE", help=help_text)


def _iana_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise typer.BadParameter(f"{name!r} is not an IANA time zone such as Asia/Baku") from None
    return name


DbOption = Annotated[
    Path | None, typer.Option("--db", help="The DuckDB file analysts open (default from settings).")
]
SinceOption = Annotated[datetime | None, day_option("First day.")]
UntilOption = Annotated[datetime | None, day_option("Last day.")]
CountryOption = Annotated[
    str | None, typer.Option(help='ISO3 code or English name ("AZE", "Azerbaijan").')
]
Admin1Option = Annotated[str | None, typer.Option(help="First-level region, e.g. Donetsk.")]
EventTypeOption = Annotated[
    str | None,
    typer.Option(help='An ACLED event type or sub-event type ("Battles", "Air/drone strike").'),
]


def incident_filter(
    since: datetime | None,
    until: datetime | None,
    country: str | None,
    admin1: str | None,
    event_type: str | None,
) -> IncidentFilter:
    """The filter the options ask for; a country or type we do not know is a usage error."""
    from warehouse.exports import IncidentFilter  # pyarrow: not for `newsdesk incidents --text`

    if since and until and since > until:
        raise typer.BadParameter(f"--since {since:%Y-%m-%d} is after --until {until:%Y-%m-%d}")
    return IncidentFilter(
        since=since.date() if since else None,
        until=until.date() if until else None,
        country=_country_code(country) if country else None,
        admin1=admin1,
        **(_event_type(event_type) if event_type else {}),
    )


def open_snapshot(db: Path | None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published snapshot, or a usage error if there is none."""
    from warehouse.session import reader  # duckdb: not for `newsdesk incidents --text`

    settings = Settings.overridden(db_path=db)
    if not settings.db_path.exists():
        raise typer.BadParameter(
            f"no database at {settings.db_path}; run `newsdesk ingest` first", param_hint="--db"
        )
    return reader(settings)


def _country_code(country: str) -> str:
    code = iso3_of(country, country_names())
    if code is None:
        raise typer.BadParameter(f"unknown country {country!r}", param_hint="--country")
    return code


def _event_type(name: str) -> dict[str, str]:
    """``event_type`` (and ``sub_event_type`` when ``name`` is one), matched in any case."""
    wanted = name.strip().casefold()
    for event_type, sub_types in EVENT_TYPES.items():
        if wanted == event_type.casefold():
            return {"event_type": event_type}
        for sub_type in sub_types:
            if wanted == sub_type.casefold():
                return {"event_type": event_type, "sub_event_type": sub_type}
    known = ", ".join(EVENT_TYPES)
    raise typer.BadParameter(
        f"unknown event type {name!r}; event types are {known}, or one of their sub-event types",
        param_hint="--event-type",
    )
