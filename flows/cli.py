"""The ``newsdesk`` command: the one entry point for people, schedules and tests.

Each group of commands lives in ``flows/commands/<topic>.py`` with a ``register(app)``, and is
listed in ``COMMANDS`` below; a module is imported only when one of its commands runs (or help
lists them), so inspection commands such as ``incidents`` never import Prefect.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib.metadata import version
from typing import Annotated, Any

import typer

from flows.commands.errors import ClickException, NoArgsIsHelpError, UsageError, as_user_error
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
    """The commands of ``COMMANDS``, each module imported on first use.

    The one place user errors are shown: a usage error, a ``UserError`` or a bad ``NEWSDESK_*``
    setting from any command is one line on stderr, ``newsdesk COMMAND: ...``, exit code 2;
    other exceptions are bugs and keep their traceback.
    """

    modules = COMMANDS

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        *extra_args: Any,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        prog_name = prog_name or "newsdesk"
        if not standalone_mode:
            return super().main(args, prog_name, *extra_args, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, *extra_args, standalone_mode=False, **extra)
        except NoArgsIsHelpError as error:
            typer.echo(error.ctx.get_help())
            sys.exit(0)
        except typer.Abort:
            typer.echo("newsdesk: aborted", err=True)
            sys.exit(1)
        except Exception as error:
            user_error = as_user_error(error)
            if user_error is None:
                raise
            typer.echo(self.one_line(user_error, self.command_path(prog_name, args)), err=True)
            sys.exit(user_error.exit_code)
        sys.exit(result if isinstance(result, int) else 0)

    def command_path(self, prog_name: str, args: list[str]) -> str:
        """``newsdesk ingest``: the program and the command the arguments name, if any."""
        command = next((arg for arg in args if arg in self.commands), None)
        return f"{prog_name} {command}" if command else prog_name

    @staticmethod
    def one_line(error: ClickException, command_path: str) -> str:
        """The error's message on one line, with a pointer to help for a usage error."""
        message = " ".join(line.strip() for line in error.format_message().splitlines())
        message = message.replace("Value error, ", "")  # pydantic's prefix on Typer's checks
        if isinstance(error, UsageError):
            return f"{command_path}: error: {message} (see {command_path} -h)"
        return f"{command_path}: {message}"


app = typer.Typer(
    name="newsdesk",
    help="Turn news articles into a traceable DuckDB record of reported incidents.",
    cls=NewsdeskCommands,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"newsdesk {version('newsdesk')}")
        raise typer.Exit()


@app.callback()
def _prefect_defaults(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Prefect's local mode must survive a slow first start and must not phone home."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


if __name__ == "__main__":
    app()
