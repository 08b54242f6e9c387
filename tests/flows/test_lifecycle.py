"""A killed run's temporary Prefect server is stopped by the next run, and only such a server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from flows.lifecycle import Process, reap_servers, servers_of

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


@pytest.fixture
def sleeper():
    process = subprocess.Popen(SLEEPER)
    try:
        yield Process.of(process.pid)
    finally:
        process.kill()
        process.wait()


def write_record(folder: Path, owner: Process, servers: list[Process]) -> Path:
    folder.mkdir(exist_ok=True)
    record = folder / f"{owner.pid}.json"
    record.write_text(json.dumps({"owner": asdict(owner), "servers": [asdict(s) for s in servers]}))
    return record


def a_finished_process() -> Process:
    process = subprocess.Popen([sys.executable, "-c", "input()"], stdin=subprocess.PIPE)
    finished = Process.of(process.pid)
    process.communicate(b"\n")
    return finished


def test_the_server_of_a_run_that_is_gone_is_stopped_and_its_record_removed(tmp_path, sleeper):
    record = write_record(tmp_path / "servers", a_finished_process(), [sleeper])
    assert reap_servers(tmp_path / "servers") == [sleeper]
    assert not sleeper.alive() and not record.exists()


def test_the_server_of_a_run_still_going_is_left_alone(tmp_path, sleeper):
    me = Process.of(os.getpid())
    record = write_record(tmp_path / "servers", me, [sleeper])
    assert reap_servers(tmp_path / "servers") == []
    assert sleeper.alive() and record.exists()


def test_a_process_that_reused_a_dead_servers_id_is_not_touched(tmp_path, sleeper):
    impostor = Process(sleeper.pid, sleeper.started - 1)
    write_record(tmp_path / "servers", a_finished_process(), [impostor])
    assert reap_servers(tmp_path / "servers") == []
    assert sleeper.alive()


def test_a_half_written_record_is_removed(tmp_path):
    (tmp_path / "servers").mkdir()
    (tmp_path / "servers" / "1.json").write_text('{"owner": ')
    assert reap_servers(tmp_path / "servers") == []
    assert not (tmp_path / "servers" / "1.json").exists()


def test_only_temporary_prefect_servers_count_as_a_runs_servers(sleeper):
    assert servers_of(sleeper.pid) == []
    assert sleeper not in servers_of(os.getpid())
