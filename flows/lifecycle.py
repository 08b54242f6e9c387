"""The process around a flow run: its temporary Prefect server and how a stop signal ends it.

Run by hand, a flow starts a temporary Prefect API server as a child process; Prefect stops it
at a normal exit, but a run killed with SIGKILL leaves it running for ever. Each run writes the
server's process id (and start time, so a reused id is never mistaken for it) to a file beside
the database; the next run stops the servers of runs that are gone and removes their files.

A stop signal (SIGTERM from ``systemctl stop`` or a container stop, SIGINT from Ctrl-C) unwinds
the flow body, where the writer rolls back the open batch, records the run ``cancelled`` and
releases the lock. Then the process must end: left to Prefect, it would first join worker
threads that may be waiting minutes on a slow site. So it stops its temporary server and dies by
the same signal at once, the exit status a service manager expects.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

from prefect.exceptions import TerminationSignal

from config.settings import Settings

Log = Callable[[str], None]
SERVER_COMMAND = b"prefect.server.api.server:create_app"
PROC = Path("/proc")  # Linux; where there is none, nothing is recorded or reaped


@dataclass(frozen=True)
class Process:
    """A process id and its start time (clock ticks since boot), which together name it."""

    pid: int
    started: int

    @classmethod
    def of(cls, pid: int) -> Process:
        """The process now running as ``pid``."""
        return cls(pid, int(_stat_fields(pid)[19]))

    def alive(self) -> bool:
        """Running, and not another process that got the same id; a zombie is dead."""
        try:
            fields = _stat_fields(self.pid)
        except OSError:
            return False
        return fields[0] not in "ZX" and int(fields[19]) == self.started

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM, then SIGKILL when it is still there after ``grace`` seconds."""
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while self.alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.alive():
                os.kill(self.pid, signal.SIGKILL)


@contextmanager
def flow_process(settings: Settings, *, log: Log) -> Iterator[None]:
    """Wrap a flow body: reap dead runs' servers, record ours, end at once on a stop signal."""
    folder = settings.db_path.parent / ".temporary-servers"
    for server in reap_servers(folder):
        log(f"stopped temporary Prefect server {server.pid}, left by a run that was killed")
    record_servers(folder)
    try:
        yield
    except (TerminationSignal, KeyboardInterrupt) as exc:
        die_by(getattr(exc, "signal", signal.SIGINT))
        raise  # only if the signal's default action did not end the process


def record_servers(folder: Path) -> None:
    """Write this process and its temporary servers to ``folder``; removed at a normal exit."""
    servers = servers_of(os.getpid())
    if not servers:
        return
    me = Process.of(os.getpid())
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / f"{me.pid}.json"
    staging = record.with_suffix(".tmp")
    staging.write_text(json.dumps({"owner": asdict(me), "servers": [asdict(s) for s in servers]}))
    os.replace(staging, record)
    atexit.register(record.unlink, missing_ok=True)


def reap_servers(folder: Path) -> list[Process]:
    """Stop the recorded servers whose run is gone; returns those stopped."""
    stopped = []
    for record in folder.glob("*.json") if folder.exists() else ():
        try:
            content = json.loads(record.read_text())
            owner = Process(**content["owner"])
            servers = [Process(**s) for s in content["servers"]]
        except (OSError, ValueError, KeyError, TypeError):
            record.unlink(missing_ok=True)  # half-written by a run killed while writing it
            continue
        if owner.alive():
            continue
        for server in filter(Process.alive, servers):
            server.stop()
            stopped.append(server)
        record.unlink(missing_ok=True)
    return stopped


def servers_of(parent: int) -> list[Process]:
    """The children of ``parent`` that are temporary Prefect API servers."""
    found = []
    for entry in PROC.glob("[0-9]*") if PROC.exists() else ():
        with suppress(OSError):
            fields = _stat_fields(int(entry.name))
            if int(fields[1]) == parent and SERVER_COMMAND in (entry / "cmdline").read_bytes():
                found.append(Process.of(int(entry.name)))
    return found


def die_by(signum: int) -> None:
    """Stop our temporary servers and end the process by ``signum`` (its default action)."""
    for server in servers_of(os.getpid()):
        server.stop()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces): state, ppid, ..."""
    text = (PROC / str(pid) / "stat").read_text()
    return text[text.rindex(")") + 2 :].split()
