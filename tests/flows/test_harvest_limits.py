"""No site stalls a run, and no page is fetched twice: ingest runs for real against loopback sites.

A Crawl-delay of a day skips that host for the run, a source over its time budget keeps what
arrived and leaves the rest for the next run, the network work happens while another process
holds the writer lock, and one URL listed by two sources is requested once.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from config.settings import PROJECT_DIR
from flows.ingest import ingest
from tests.flows.test_ingest import OTHER, STORY, page, query, rss
from tests.tasks.pages import loopback_server, reset_server
from tests.waiting import PATIENCE_SECONDS, wait_until

pytestmark = pytest.mark.usefixtures("prefect_harness")

BUDGET_SECONDS = 1.0


@pytest.fixture(scope="module")
def _servers() -> Iterator[tuple[HTTPServer, HTTPServer]]:
    with loopback_server() as first, loopback_server() as second:
        yield first, second


@pytest.fixture
def sites(_servers) -> Iterator[tuple[HTTPServer, HTTPServer]]:
    """Two loopback sites on different ports: two hosts as far as pacing and robots go."""
    yield _servers
    for server in _servers:
        reset_server(server)


def serve_feed(web: HTTPServer, feed: str, paths: list[str], **handlers) -> None:
    """A feed listing ``paths`` and an article at each; ``handlers`` replace chosen ones."""
    base = web.url_for("")[:-1]
    web.expect_request(feed).respond_with_data(
        rss(base, paths), headers={"ETag": '"v1"'}, content_type="application/rss+xml"
    )
    for number, path in enumerate(paths):
        body = page(f"Report {number}", STORY if number % 2 else OTHER)
        handler = handlers.get(path)
        if handler is None:
            web.expect_request(path).respond_with_data(body, content_type="text/html")
        else:
            web.expect_request(path).respond_with_handler(handler)


def run(tmp_path: Path, *sources: tuple[str, HTTPServer, str]) -> dict:
    lines = [
        f"  - {{id: {name}, kind: feed, url: '{web.url_for(feed)}', rate_per_second: 100}}\n"
        for name, web, feed in sources
    ]
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + "".join(lines), encoding="utf-8")
    return ingest(sources_file=str(path), db_path=str(tmp_path / "news.duckdb"))


def requests_to(web: HTTPServer, path: str) -> int:
    return sum(request.path == path for request, _ in web.log)


def test_a_host_asking_for_a_day_between_requests_is_skipped_and_the_others_load(tmp_path, sites):
    wire, slow = sites
    serve_feed(wire, "/feed.xml", ["/news/a", "/news/b"])
    slow.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 86400\n")
    serve_feed(slow, "/feed.xml", ["/news/c"])
    counts = run(tmp_path, ("wire", wire, "/feed.xml"), ("slowpoke", slow, "/feed.xml"))
    db = tmp_path / "news.duckdb"
    assert counts["status"] == "partially_failed" and list(counts["failed_sources"]) == ["slowpoke"]
    (reject,) = query(db, "SELECT reason, detail FROM rejects WHERE source_id = 'slowpoke'")
    assert reject[0] == "crawl_delay_too_long" and "86400" in reject[1]
    assert [request.path for request, _ in slow.log] == ["/robots.txt"]
    assert query(db, "SELECT count(*) FROM raw_pages WHERE source_id = 'wire'") == [(2,)]


def test_a_source_over_its_time_budget_keeps_what_arrived_and_the_next_run_loads_the_rest(
    tmp_path, sites, monkeypatch
):
    wire, _ = sites
    body = rss(wire.url_for("")[:-1], ["/news/a", "/news/b"])

    def feed_answered_after_the_budget(request: Request) -> Response:
        # the source's budget began before this request arrived, so it is spent by then
        arrived = time.monotonic()
        wait_until(lambda: time.monotonic() >= arrived + BUDGET_SECONDS, "the budget to pass")
        return Response(body, headers={"ETag": '"v1"'}, content_type="application/rss+xml")

    wire.expect_request("/feed.xml").respond_with_handler(feed_answered_after_the_budget)
    monkeypatch.setenv("NEWSDESK_SOURCE_TIME_BUDGET", str(BUDGET_SECONDS))
    first = run(tmp_path, ("wire", wire, "/feed.xml"))
    assert requests_to(wire, "/news/a") == requests_to(wire, "/news/b") == 0
    assert (first["links_found"], first["left_over"], first["pages_fetched"]) == (2, 2, 0)
    db = tmp_path / "news.duckdb"
    ((detail,),) = query(db, "SELECT detail FROM rejects WHERE reason = 'time_budget'")
    assert "2 URLs left for the next run" in detail

    monkeypatch.delenv("NEWSDESK_SOURCE_TIME_BUDGET")
    reset_server(wire)
    serve_feed(wire, "/feed.xml", ["/news/a", "/news/b"])
    second = run(tmp_path, ("wire", wire, "/feed.xml"))
    assert (second["pages_fetched"], second["left_over"]) == (2, 0)
    assert query(db, "SELECT count(*) FROM raw_pages") == [(2,)]


def hold_writer_lock(db: Path) -> subprocess.Popen:
    """Another process holding the writer lock on ``db`` until a line arrives on its stdin."""
    script = (
        "import sys; from pathlib import Path; from warehouse.session import writer_lock\n"
        "with writer_lock(Path(sys.argv[1]), log=print):\n"
        "    print('locked', flush=True); sys.stdin.readline()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(db)],
        cwd=PROJECT_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_the_harvest_fetches_while_another_process_holds_the_writer_lock(tmp_path, sites):
    wire, _ = sites
    fetched = threading.Event()

    def article(request: Request) -> Response:
        fetched.set()
        return Response(page("Report", STORY), content_type="text/html")

    serve_feed(wire, "/feed.xml", ["/news/a"], **{"/news/a": article})
    holder = hold_writer_lock(tmp_path / "news.duckdb")
    seen_while_locked: list[bool] = []

    def release_once_fetched() -> None:
        seen_while_locked.append(fetched.wait(PATIENCE_SECONDS))
        holder.stdin.write("\n")
        holder.stdin.flush()

    releaser = threading.Thread(target=release_once_fetched)
    releaser.start()
    try:
        counts = run(tmp_path, ("wire", wire, "/feed.xml"))
    finally:
        releaser.join()
        holder.wait(PATIENCE_SECONDS)
    assert seen_while_locked == [True]
    assert counts["status"] == "completed" and counts["pages_fetched"] == 1


def test_one_url_listed_by_two_sources_in_one_run_is_fetched_once_and_both_are_kept(
    tmp_path, sites
):
    wire, _ = sites
    serve_feed(wire, "/feed.xml", ["/news/shared", "/news/a"])
    serve_feed(wire, "/partner.xml", ["/news/shared", "/news/b"])
    counts = run(tmp_path, ("wire", wire, "/feed.xml"), ("partner", wire, "/partner.xml"))
    assert counts["status"] == "completed"
    assert requests_to(wire, "/news/shared") == 1
    shared = wire.url_for("/news/shared")
    listed_by = query(
        tmp_path / "news.duckdb",
        f"SELECT source_id FROM page_sources WHERE url = '{shared}' ORDER BY 1",
    )
    assert listed_by == [("partner",), ("wire",)]
    assert query(tmp_path / "news.duckdb", "SELECT count(*) FROM raw_pages") == [(3,)]


def test_a_url_stored_by_one_source_is_not_fetched_again_when_another_lists_it_later(
    tmp_path, sites
):
    wire, _ = sites
    serve_feed(wire, "/feed.xml", ["/news/shared"])
    serve_feed(wire, "/partner.xml", ["/news/shared"])
    run(tmp_path, ("wire", wire, "/feed.xml"))
    later = run(tmp_path, ("wire", wire, "/feed.xml"), ("partner", wire, "/partner.xml"))
    assert requests_to(wire, "/news/shared") == 1 and later["pages_fetched"] == 0
    rows = query(
        tmp_path / "news.duckdb",
        "SELECT p.source_id, s.source_id FROM raw_pages p "
        "JOIN page_sources s USING (url) ORDER BY 2",
    )
    assert rows == [("wire", "partner"), ("wire", "wire")]
