"""The ``newsdesk`` command: the one entry point for people, schedules and tests.

Each group of commands lives in ``flows/commands/<topic>.py`` with a ``register(app)``, and is
listed in ``COMMANDS`` below; a module is imported only when one of its commands runs (or help
lists them), so inspection commands such as ``incidents`` never import Prefect.
"""

from __future__ import annotations

import os

import typer

from flows.commands.lazy import LazyGroup

COMMANDS = {
    "flows.commands.ingest": ("ingest", "reprocess", "query", "sources"),
    "flows.commands.extract": ("extract",),
    "flows.commands.incidents": ("incidents",),
    "flows.commands.export": ("export",),
    "flows.commands.summary": ("summarize", "report"),
    "flows.commands.ops": ("deploy", "worker", "trigger"),
}


class NewsdeskCommands(LazyGroup):
    """The commands of ``COMMANDS``, each module imported on first use."""

    modules = COMMANDS


app = typer.Typer(
    name="newsdesk",
    help="Turn news articles into a traceable DuckDB record of reported incidents.",
    cls=NewsdeskCommands,
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


if __name__ == "__main__":
    app()
