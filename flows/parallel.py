"""CPU-bound batches on every core, or on a Dask cluster, and back in order to the one writer.

Cleaning pages and reading articles are pure stages (records in, records out), so a flow hands
its batches to a Prefect task runner: a pool of ``workers`` processes on this machine by default
(``ProcessPoolTaskRunner``), or a Dask cluster (``DaskTaskRunner``) when ``task_runner`` is
``dask``. Results come back in the order the batches were read, and at most ``workers + 1``
batches are out at once, so the writer loads them as they arrive, the outcome is the same as one
process reading batch after batch, and memory is bounded by the batch size, not by the corpus.

A run with a single batch (or ``workers`` = 1 on this machine) runs it in the flow's own
process: starting a pool costs seconds and would buy nothing.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Any, TypeVar

from prefect import Task
from prefect.context import FlowRunContext
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner

from config.settings import Settings

R = TypeVar("R")
PARENT_CHECK_SECONDS = 1.0


def in_order(
    task: Task[..., R], batches: Iterable[dict[str, Any]], settings: Settings
) -> Iterator[R]:
    """``task(**parameters)`` of every batch, in order, computed ahead on the task runner.

    ``batches`` is read lazily, one batch ahead of the submissions, so a reader that walks a
    table with a cursor never holds more than the batches in flight.
    """
    batches = iter(batches)
    first = list(islice(batches, 2))
    if len(first) < 2 or (settings.workers == 1 and settings.task_runner == "processes"):
        for parameters in chain(first, batches):
            yield task(**parameters)
        return
    with temporary_settings({PREFECT_API_URL: _api_url()}), task_runner(settings) as runner:
        in_flight: deque = deque()
        for parameters in chain(first, batches):
            in_flight.append(runner.submit(task, parameters))
            if len(in_flight) > settings.workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


def _api_url() -> str:
    """The Prefect API this run reports to, also when it is the run's temporary server.

    A worker is told it explicitly: left to itself it would start a temporary server of its own
    (seconds each) and its task runs would be recorded where nobody looks.
    """
    return str(FlowRunContext.get().client.api_url)


def task_runner(settings: Settings) -> TaskRunner:
    """The runner ``settings`` choose; a local Dask cluster listens on 127.0.0.1 only."""
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner  # only runs that ask for Dask import it

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        local = {"n_workers": settings.workers, "threads_per_worker": 1, "processes": True,
                 "host": "127.0.0.1", "dashboard_address": None}  # fmt: skip
        return DaskTaskRunner(cluster_kwargs=local)
    return ProcessPoolTaskRunner(
        max_workers=settings.workers, initializer=exit_with_parent, initargs=(os.getpid(),)
    )


def exit_with_parent(parent_pid: int) -> None:
    """In a pool process: end when the run that started it is gone.

    A run killed with SIGKILL cannot stop its pool, and a worker waiting for its next batch
    would wait for ever; the check is a thread, so a worker busy on a batch notices too.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
