"""One writer, many readers.

DuckDB lets one process write a file and blocks every other process from even opening it
meanwhile, so analysts never open the file the pipeline writes. The single writer (any flow run,
from any deployment) takes an exclusive lock, works in a private database beside the published
one, and at the end publishes a copy by atomic rename. An analyst holding the published file
open keeps reading the old copy until they reconnect; nothing they do can block a run.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from config.settings import Settings
from warehouse.db import connect

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


def open_working(settings: Settings, *, log: Log, attempts: int = 8) -> duckdb.DuckDBPyConnection:
    """Open (or seed from the snapshot) the private working database, retrying if held open."""
    work = settings.work_db_path
    if not work.exists() and settings.db_path.exists():
        log(f"no working database; seeding it from the published snapshot {settings.db_path}")
        shutil.copyfile(settings.db_path, work)
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return connect(work)
        except duckdb.IOException as exc:
            if attempt == attempts:
                raise WarehouseBusyError(
                    f"{work} is held open by another process ({exc}); analysts should open "
                    f"{settings.db_path} instead"
                ) from exc
            log(f"{work} is held open by another process; retrying in {delay:.1f}s")
            time.sleep(delay)
            delay = min(delay * 2, 30)
    raise AssertionError("unreachable")


def publish(settings: Settings) -> Path:
    """Copy the (closed) working database over the published one in a single rename."""
    target = settings.db_path
    staging = target.with_name(f".{target.name}.{os.getpid()}.publishing")
    try:
        shutil.copyfile(settings.work_db_path, staging)
        with open(staging, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)
    return target


@contextmanager
def writer(settings: Settings, *, log: Log = print) -> Iterator[duckdb.DuckDBPyConnection]:
    """The only way to write: lock, open the working database, publish when done.

    Every stage commits in its own transactions, so what is committed is consistent even when
    the run fails part-way: it is published too (with the run's failed row), and an open
    transaction is rolled back when the connection closes.
    """
    with writer_lock(settings.db_path, log=log):
        con = open_working(settings, log=log)
        try:
            yield con
        finally:
            try:
                con.execute("CHECKPOINT")
            finally:
                con.close()
                publish(settings)


def reader(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published snapshot, the file analysts use."""
    con = duckdb.connect(str(settings.db_path), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    return con
