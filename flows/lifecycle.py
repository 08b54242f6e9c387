"""The process around a flow run: its temporary Prefect server and how a stop signal ends it.

Run by hand, a flow starts a temporary Prefect API server as a child process; Prefect stops it
at a normal exit, but a run killed with SIGKILL leaves it running for ever. Prefect starts that
server when the flow is called, before any code of the flow runs, so a run killed meanwhile
could not have written down its server anywhere. Instead the run names itself (process id and
start time, so a reused id is never mistaken for it) in its environment when the flows are
imported; the server inherits the environment, and the next run stops every temporary server
whose run is gone.

A stop signal (SIGTERM from ``systemctl stop`` or a container stop, SIGINT from Ctrl-C) unwinds
the flow body, where the writer rolls back the open batch, records the run ``cancelled`` and
releases the lock. Then the process must end: left to Prefect, it would first join worker
threads that may be waiting minutes on a slow site. So it stops its temporary server and dies by
the same signal at once, the exit status a service manager expects.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from prefect.exceptions import TerminationSignal

Log = Callable[[str], None]
SERVER_COMMAND = b"prefect.server.api.server:create_app"
OWNER_VARIABLE = "NEWSDESK_RUN_PROCESS"  # "pid:start time" of the run a server belongs to
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
def flow_process(*, log: Log) -> Iterator[None]:
    """Wrap a flow body: stop dead runs' servers, end at once on a stop signal."""
    for server in reap_servers():
        log(f"stopped temporary Prefect server {server.pid}, left by a run that was killed")
    try:
        yield
    except (TerminationSignal, KeyboardInterrupt) as exc:
        die_by(getattr(exc, "signal", signal.SIGINT))
        raise  # only if the signal's default action did not end the process


def mark_this_process() -> None:
    """Name this process in the environment that the temporary server it starts will inherit."""
    if PROC.exists():
        me = Process.of(os.getpid())
        os.environ[OWNER_VARIABLE] = f"{me.pid}:{me.started}"


def reap_servers() -> list[Process]:
    """Stop the temporary servers (of this user) whose run is gone; returns those stopped.

    A server without a run's name was not started by a newsdesk run and is left alone."""
    stopped = []
    for server, owner in _named_servers():
        if not owner.alive() and server.alive():
            server.stop()
            stopped.append(server)
    return stopped


def _named_servers() -> list[tuple[Process, Process]]:
    """Every temporary Prefect server we may read, with the run named in its environment."""
    found = []
    for entry in PROC.glob("[0-9]*") if PROC.exists() else ():
        with suppress(OSError, ValueError):
            if SERVER_COMMAND in (entry / "cmdline").read_bytes():
                owner = _owner_in((entry / "environ").read_bytes())
                if owner is not None:
                    found.append((Process.of(int(entry.name)), owner))
    return found


def _owner_in(environ: bytes) -> Process | None:
    prefix = OWNER_VARIABLE.encode() + b"="
    for variable in environ.split(b"\0"):
        if variable.startswith(prefix):
            pid, started = variable.removeprefix(prefix).split(b":")
            return Process(int(pid), int(started))
    return None


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


# The flows import this module, and every caller imports a flow before calling it: so the name is
# in the environment before any temporary server is started.
mark_this_process()
