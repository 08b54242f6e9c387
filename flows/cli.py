"""The ``newsdesk`` command: the one entry point for people, schedules and tests.

Each group of commands lives in ``flows/commands/<topic>.py`` and registers itself here.
"""

from __future__ import annotations

import os

import typer

from flows.commands import extract, incidents, ingest, ops, summary

app = typer.Typer(
    name="newsdesk",
    help="Turn news articles into a traceable DuckDB record of reported incidents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _prefect_defaults() -> None:
    """Prefect's local mode must survive a slow first start and must not phone home."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


for module in (ingest, extract, incidents, summary, ops):
    module.register(app)


if __name__ == "__main__":
    app()
