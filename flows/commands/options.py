"""Option types shared by several commands, each refusing a bad value while arguments are parsed.

A value that cannot be right (a 40th of October, a time zone that does not exist) is a usage
error naming it before any work starts, rather than a traceback from deep inside a run.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from typer.models import OptionInfo


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
