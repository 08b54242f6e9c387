"""One writer, many readers.

DuckDB lets one process write a file and blocks every other process from even opening it
meanwhile, so analysts never open the file the pipeline writes. The single writer (any flow run,
from any deployment) takes an exclusive lock, works in a private database beside the published
one, and when the run succeeds publishes what changed (Parquet partitions behind a small file of
views, the views file replaced by atomic rename; ``warehouse.snapshot``).
An analyst holding the published file open keeps reading the old copy until they reconnect;
nothing they do can block a run.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import duckdb

from config.settings import Settings
from tasks.run_counts import StageClock
from warehouse import snapshot
from warehouse.db import connect
from warehouse.runs import cancel_running, start_run

Log = Callable[[str], None]


class WarehouseBusyError(RuntimeError):
    """The working database stayed locked by another process for longer than we wait."""


@contextmanager
def writer_lock(db_path: Path, *, log: Log, timeout: float = 6 * 3600) -> Iterator[None]:
    """Hold the process-wide writer lock for ``db_path``, waiting (and saying so) while busy."""
    lock_path = db_path.with_name(f".{db_path.stem}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            log(f"waiting for the writer lock on {db_path} (held by {holder})")
            deadline = time.monotonic() + timeout
            while not _try_lock(handle):
                if time.monotonic() > deadline:
                    raise WarehouseBusyError(f"writer lock on {db_path} not free after {timeout}s")
                time.sleep(0.5)
            log("writer lock acquired")
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "since": time.time()}))
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _try_lock(handle) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class WarehouseDamagedError(RuntimeError):
    """The working database (or every snapshot copy) is damaged; the message says what to do."""


def open_working(settings: Settings, *, log: Log, attempts: int = 8) -> duckdb.DuckDBPyConnection:
    """Open (or seed from the snapshot) the private working database, retrying if held open.

    A file another process holds open is waited for; a damaged one fails at once with what to
    do, since waiting cannot mend it.
    """
    work = settings.work_db_path
    if not work.exists():
        _seed(settings, log)
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return connect(work)
        except duckdb.Error as exc:
            if snapshot.is_damage(exc):
                raise WarehouseDamagedError(_damage_advice(settings, exc)) from exc
            if not snapshot.is_lock_error(exc):
                raise
            if attempt == attempts:
                raise WarehouseBusyError(
                    f"{work} is held open by another process ({exc}); analysts should open "
                    f"{settings.db_path} instead"
                ) from exc
            log(f"{work} is held open by another process; retrying in {delay:.1f}s")
            time.sleep(delay)
            delay = min(delay * 2, 30)
    raise AssertionError("unreachable")


def _seed(settings: Settings, log: Log) -> None:
    try:
        seeded = snapshot.seed(settings.db_path, settings.work_db_path)
    except snapshot.SnapshotCheckError as exc:
        message = f"no good snapshot to seed the working database: {exc}"
        raise WarehouseDamagedError(message) from exc
    if seeded is None:
        log(f"no working database and no snapshot at {settings.db_path}: starting an empty one")
    else:
        log(f"no working database; seeded it from the published snapshot {seeded}")


def publish(con: duckdb.DuckDBPyConnection, settings: Settings, *, log: Log) -> Path:
    """Publish what changed in the working database since the last publish (one rename)."""
    started = time.monotonic()
    keep = timedelta(hours=settings.snapshot_keep_hours)
    published = snapshot.publish(con, settings.db_path, keep=keep)
    log(f"published {settings.db_path} in {time.monotonic() - started:.2f}s")
    return published


# Not ``Exception``: Ctrl-C (KeyboardInterrupt) and Prefect's TerminationSignal (SIGTERM).
def _is_stop(exc: BaseException) -> bool:
    return not isinstance(exc, Exception | GeneratorExit)


@contextmanager
def writer(
    settings: Settings,
    *,
    log: Log = print,
    publish_after: bool = True,
    clock: StageClock | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The only way to write: lock, open the working database, publish when the run succeeded.

    ``publish_after=False`` leaves publishing to a later writer of the same run (ingest leaves
    it to its summarize subflow, so one ingest publishes once).

    Every stage commits in its own transactions (an open one is rolled back by
    ``loads.transaction``), so the working file stays consistent when a run fails or is
    stopped part-way; but only a successful run publishes, since a failure may be the file
    itself. A failed or stopped run's committed work and its row reach the snapshot with the
    next good run. A run stopped by a signal is recorded ``cancelled`` and not published, so
    the stop is not delayed by a copy of the whole database. ``clock`` times the publish.
    """
    with writer_lock(settings.db_path, log=log):
        for leftover in snapshot.remove_leftovers(settings.db_path, settings.work_db_path):
            log(f"removed {leftover.name}, left by a run that was killed")
        con = open_working(settings, log=log)
        try:
            yield con
        except BaseException as exc:
            if _is_stop(exc):
                _mark_cancelled(con, exc, log)
            con.close()
            if isinstance(exc, duckdb.Error) and snapshot.is_damage(exc):
                raise WarehouseDamagedError(_damage_advice(settings, exc)) from exc
            raise
        try:
            if publish_after:
                with (clock or StageClock()).timed("publish"):
                    publish(con, settings, log=log)
            con.execute("CHECKPOINT")
        finally:
            con.close()


def _damage_advice(settings: Settings, exc: BaseException) -> str:
    """What to do about a damaged working file: waiting or retrying cannot mend it."""
    return (
        f"the working database {settings.work_db_path} is damaged ({exc}); delete it and run "
        f"again: it is re-seeded from the published snapshot {settings.db_path}"
    )


def _mark_cancelled(con: duckdb.DuckDBPyConnection, exc: BaseException, log: Log) -> None:
    """Record the stop in the working file; a database that cannot take it is left as it is."""
    try:
        cancel_running(con, f"stopped by {type(exc).__name__}")
        con.execute("CHECKPOINT")
    except duckdb.Error as error:
        log(f"could not record the cancelled run: {error}")
        return
    log("run cancelled: its committed batches are kept, the rest is done by the next run")


STOPPED_LOCK_WAIT = 5.0  # seconds a stopped run waits to record itself; a stop must be quick


def record_stopped(
    settings: Settings,
    run_id: str,
    flow: str,
    parameters: dict,
    exc: BaseException,
    *,
    log: Log = print,
) -> None:
    """A run stopped before it took the writer lock (while fetching) still leaves its row,
    ``cancelled``; if another run holds the lock the stop is only logged, never delayed."""
    try:
        with writer_lock(settings.db_path, log=log, timeout=STOPPED_LOCK_WAIT):
            con = open_working(settings, log=log)
            try:
                start_run(con, run_id, flow, parameters)
                _mark_cancelled(con, exc, log)
            finally:
                con.close()
    except (WarehouseBusyError, duckdb.Error, OSError) as error:
        log(f"could not record the cancelled run: {error}")


def reader(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published snapshot, the file analysts use."""
    con = duckdb.connect(str(settings.db_path), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    return con
