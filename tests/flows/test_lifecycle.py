"""A killed run's temporary Prefect server is stopped by the next run, and only such a server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from config.settings import PROJECT_DIR
from flows.lifecycle import OWNER_VARIABLE, Process, reap_servers, servers_of

FAKE_SERVER = [sys.executable, "-c", "import time; time.sleep(600)", "--factory"]
FAKE_SERVER.append("prefect.server.api.server:create_app")

# A run starts its temporary server when its flow is called, before any of the flow's code runs;
# this one dies right then, as a run SIGKILLed while Prefect starts its server does.
RUN = """
import json, os, subprocess, sys, time
import flows.lifecycle
if sys.argv[1] == "unnamed":
    os.environ.pop(flows.lifecycle.OWNER_VARIABLE)
print(subprocess.Popen(json.loads(sys.argv[2])).pid, flush=True)
time.sleep(600)
"""


def server_of_a_killed_run(named: bool) -> Process:
    """Start a run that starts a (fake) temporary server, SIGKILL the run; the server."""
    argument = "named" if named else "unnamed"
    run = subprocess.Popen(
        [sys.executable, "-c", RUN, argument, json.dumps(FAKE_SERVER)],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    server = Process.of(int(run.stdout.readline()))
    run.kill()
    run.wait()
    return server


@pytest.fixture
def ends() -> Iterator[list[Process]]:
    """Processes a test started; those still alive at its end are killed."""
    started: list[Process] = []
    yield started
    for process in filter(Process.alive, started):
        os.kill(process.pid, signal.SIGKILL)


def test_a_server_whose_run_was_killed_before_recording_it_is_stopped_by_the_next_run(ends):
    ends.append(orphan := server_of_a_killed_run(named=True))
    assert orphan in reap_servers()
    assert not orphan.alive()


def test_the_server_of_a_run_still_going_is_left_alone(ends):
    assert os.environ[OWNER_VARIABLE].startswith(f"{os.getpid()}:"), "importing names the run"
    process = subprocess.Popen(FAKE_SERVER)
    ends.append(mine := Process.of(process.pid))
    assert mine not in reap_servers()
    assert mine.alive()


def test_a_server_no_newsdesk_run_started_is_left_alone(ends):
    ends.append(foreign := server_of_a_killed_run(named=False))
    assert foreign not in reap_servers()
    assert foreign.alive()


def test_only_temporary_prefect_servers_count_as_a_runs_servers(ends):
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    ends.append(sleeper := Process.of(process.pid))
    assert servers_of(sleeper.pid) == []
    assert sleeper not in servers_of(os.getpid())
