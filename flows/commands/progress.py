"""Progress bars for long commands, on stderr and only on a terminal.

A person watching ``newsdesk extract`` or ``newsdesk ingest`` sees how far it got; a pipe, a log
file or a scheduler sees nothing but the command's own output (rich turns a bar off when stderr is
not a terminal). ``progress_bar`` counts items a command loops over; ``flow_progress`` follows the
Prefect tasks of a flow run in this process, one line per kind of task (``harvest-source``,
``process-pages``, ``load-batch``, ...), without the flows knowing they are watched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

Item = TypeVar("Item")
TASK_LOGGER = "prefect.task_runs"


def _progress() -> Progress:
    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def progress_bar(items: Iterable[Item], total: int, description: str) -> Iterator[Item]:
    """Yield ``items`` while a bar of ``total`` advances on a terminal."""
    with _progress() as progress:
        yield from progress.track(items, total=total, description=description)


class TaskTally(logging.Handler):
    """Advances one bar per kind of Prefect task each time a task run of that kind finishes."""

    def __init__(self, progress: Progress, totals: dict[str, int]) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.totals = totals
        self.bars: dict[str, TaskID] = {}

    def emit(self, record: logging.LogRecord) -> None:
        name = getattr(record, "task_run_name", None)
        if not name or not record.getMessage().startswith("Finished in state"):
            return
        kind = name.rsplit("-", 1)[0]
        if kind not in self.bars:
            self.bars[kind] = self.progress.add_task(kind, total=self.totals.get(kind))
        self.progress.advance(self.bars[kind])


@contextmanager
def flow_progress(totals: dict[str, int] | None = None) -> Iterator[None]:
    """Show the flow runs started inside the block as bars of finished tasks, on a terminal.

    ``totals`` gives the number expected of a kind of task where it is known in advance (one
    ``harvest-source`` per source). Prefect's log lines are printed above the bars meanwhile.
    """
    progress = _progress()
    if not progress.console.is_terminal:
        yield
        return
    tally = TaskTally(progress, totals or {})
    handlers = _prefect_console_handlers()
    consoles = [handler.console for handler in handlers]
    logging.getLogger(TASK_LOGGER).addHandler(tally)
    try:
        with progress:
            for handler in handlers:
                handler.console = progress.console
            yield
    finally:
        for handler, console in zip(handlers, consoles, strict=True):
            handler.console = console
        logging.getLogger(TASK_LOGGER).removeHandler(tally)


def _prefect_console_handlers() -> list:
    """Prefect's console log handlers, so their lines are printed above the bars, not over them."""
    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger(), *map(logging.getLogger, logging.root.manager.loggerDict)]
    found = {h for lg in loggers for h in lg.handlers if isinstance(h, PrefectConsoleHandler)}
    return list(found)
