"""The one exception a command raises for a mistake in what it was asked to do.

A bad value, a missing file or database, SQL that does not parse: the user can fix these, and a
traceback would bury the one fact they need. ``flows/cli.py`` prints any such error (and every
usage error Click finds while parsing) as one line on stderr naming the bad value, exit code 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from pydantic import ValidationError

# Typer (0.29) parses with its own copy of Click; these are the classes its parser raises.
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

__all__ = ["ClickException", "NoArgsIsHelpError", "UsageError", "UserError", "as_user_error"]


class UserError(ClickException):
    """What the user asked cannot be done as asked; the message names the value at fault."""

    exit_code = 2


def as_user_error(error: Exception) -> ClickException | None:
    """The error as one to show in a line, or None for a bug, which keeps its traceback.

    Besides Click's own, a ``NEWSDESK_*`` setting the environment gets wrong is the user's to fix.
    """
    if isinstance(error, ClickException):
        return error
    if isinstance(error, ValidationError) and error.title == "Settings":
        return UserError("bad setting: " + "; ".join(map(_setting_problem, error.errors())))
    return None


def _setting_problem(problem: dict) -> str:
    field = "_".join(map(str, problem["loc"])).upper()
    return f"NEWSDESK_{field}={problem['input']!r}: {problem['msg']}"
