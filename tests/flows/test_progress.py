"""Progress of a flow run is read off Prefect's task-run log records, one bar per kind of task."""

import io
import logging

from rich.console import Console
from rich.progress import Progress

from flows.commands.progress import TaskTally


def finished(task_run_name: str, message: str = "Finished in state Completed()"):
    record = logging.LogRecord("prefect.task_runs", logging.INFO, "", 0, message, None, None)
    record.task_run_name = task_run_name
    return record


def test_each_finished_task_run_advances_the_bar_of_its_kind():
    progress = Progress(console=Console(file=io.StringIO(), force_terminal=True))
    tally = TaskTally(progress, totals={"harvest-source": 3})
    for name in ("harvest-source-1e4", "harvest-source-9ab", "load-batch-b8d"):
        tally.emit(finished(name))
    tally.emit(finished("load-batch-c01", message="Beginning task run"))
    tally.emit(logging.LogRecord("prefect.task_runs", logging.INFO, "", 0, "no task", None, None))
    bars = {task.description: (task.completed, task.total) for task in progress.tasks}
    assert bars == {"harvest-source": (2, 3), "load-batch": (1, None)}
