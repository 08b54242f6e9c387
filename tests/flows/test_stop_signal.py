"""A stop signal (systemctl stop, a container stop, Ctrl-C) ends a run within seconds.

The run below is waiting on a page that a loopback server never finishes sending, the way a run
waits on a slow site; the signal must not wait for that page. The run is recorded ``cancelled``
in the working file (a stopped run does not publish) and its temporary Prefect server goes too.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from config.settings import PROJECT_DIR
from flows.ingest import ingest
from flows.lifecycle import servers_of
from tests.ingest_process import spawn_ingest
from tests.tasks.pages import loopback_server
from tests.waiting import PATIENCE_SECONDS, wait_until

pytestmark = pytest.mark.slow
SAMPLE = PROJECT_DIR / "samples" / "archive"


@pytest.fixture
def stuck_site() -> Iterator[tuple[HTTPServer, threading.Event]]:
    """A feed with one article whose request hangs until the test ends."""
    requested, released = threading.Event(), threading.Event()
    with loopback_server() as web:
        article = web.url_for("/news/stuck")
        feed = (
            "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
            f"<item><title>stuck</title><link>{article}</link></item></channel></rss>"
        )
        web.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")

        def hang(request: Request) -> Response:
            requested.set()
            released.wait(10 * PATIENCE_SECONDS)
            return Response("<html></html>", content_type="text/html")

        web.expect_request("/news/stuck").respond_with_handler(hang)
        try:
            yield web, requested
        finally:
            released.set()


def start_ingest(tmp_path: Path, web: HTTPServer) -> subprocess.Popen:
    sources = tmp_path / "sources.yaml"
    feed = web.url_for("/feed.xml")
    sources.write_text(f"sources:\n  - {{id: stuck, kind: feed, url: '{feed}'}}\n")
    timeouts = {"NEWSDESK_READ_TIMEOUT": "3600", "NEWSDESK_TOTAL_TIMEOUT": "3600"}
    return spawn_ingest(sources, tmp_path / "news.duckdb", tmp_path / "prefect-home", env=timeouts)


def start_ingest_waiting(tmp_path: Path, stuck_site) -> tuple[subprocess.Popen, list]:
    """An ingest subprocess once it waits on the stuck page, with its temporary servers."""
    web, requested = stuck_site
    run = start_ingest(tmp_path, web)
    try:
        wait_until(requested.is_set, "the run waiting on the stuck page", 4 * PATIENCE_SECONDS)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
        raise
    return run, servers_of(run.pid)


def lock_is_free(db: Path) -> bool:
    with open(db.with_name(f".{db.stem}.lock"), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_ends_a_waiting_run_releases_the_lock_and_records_it_cancelled(
    tmp_path, stuck_site, stop
):
    run, servers = start_ingest_waiting(tmp_path, stuck_site)
    try:
        run.send_signal(stop)
        run.wait(PATIENCE_SECONDS)  # the page is still hanging: only the signal can end it
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == -stop
    assert servers and not any(server.alive() for server in servers)
    db = tmp_path / "news.duckdb"
    assert lock_is_free(db)
    con = duckdb.connect(str(db.with_name(".news.work.duckdb")), read_only=True)
    rows = con.execute("SELECT flow, status, error FROM pipeline_runs").fetchall()
    assert [(flow, status) for flow, status, _ in rows] == [("ingest", "cancelled")]
    assert "stopped by" in rows[0][2]


def test_a_run_killed_outright_leaves_its_temporary_server_which_the_next_run_stops(
    tmp_path, stuck_site, prefect_harness
):
    run, servers = start_ingest_waiting(tmp_path, stuck_site)
    try:
        run.kill()  # the main process only, as `kill -9 <pid>` does
        run.wait(PATIENCE_SECONDS)
        assert servers and all(server.alive() for server in servers)
        sample = tmp_path / "sample.yaml"
        sample.write_text(f"sources:\n  - {{id: sample, kind: archive, path: '{SAMPLE}'}}\n")
        ingest(sources_file=str(sample), db_path=str(tmp_path / "news.duckdb"))
        assert not any(server.alive() for server in servers)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
