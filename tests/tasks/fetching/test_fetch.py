import gzip
import math
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tasks.fetching.fetch import Fetcher, Validators
from tasks.fetching.politeness import HostRateLimiter
from tests.tasks.pages import (
    SleepLog,
    fast_settings,
    make_fetcher,
    web_source,
)
from tests.waiting import PATIENCE_SECONDS, wait_until


def requested_paths(web: HTTPServer) -> list[str]:
    return [request.path for request, _ in web.log]


def test_page_bytes_pass_through_untouched_even_when_the_charset_header_lies(web, tmp_path):
    utf8_body = "<html><body>Kyiv – Київ, café</body></html>".encode()
    web.expect_request("/lying").respond_with_data(
        utf8_body, content_type="text/html; charset=iso-8859-1"
    )
    source = web_source("feed", web.url_for("/feed"))
    outcome = make_fetcher(tmp_path).fetch(web.url_for("/lying"), source)
    assert outcome.page is not None
    assert outcome.page.body == utf8_body
    assert outcome.page.headers["content-type"] == "text/html; charset=iso-8859-1"
    assert outcome.record.status == 200
    assert outcome.record.bytes == len(utf8_body)


def test_user_agent_from_settings_is_sent(web, tmp_path):
    settings = fast_settings(user_agent="newsdesk-test/1.0 (+contact)")
    web.expect_request(
        "/ua", headers={"User-Agent": "newsdesk-test/1.0 (+contact)"}
    ).respond_with_data("ok")
    outcome = make_fetcher(tmp_path, settings).fetch(
        web.url_for("/ua"), web_source("feed", "http://x")
    )
    assert outcome.record.status == 200


def test_404_is_rejected_without_retry(web, tmp_path):
    sleeps = SleepLog()
    outcome = make_fetcher(tmp_path, sleep=sleeps).fetch(
        web.url_for("/missing"), web_source("feed", "http://x")
    )
    assert outcome.reject is not None
    assert (outcome.reject.stage, outcome.reject.reason) == ("fetch", "http_404")
    assert (outcome.record.status, outcome.record.attempts, outcome.record.error) == (
        404,
        1,
        "http_404",
    )
    assert sleeps.delays == []
    assert requested_paths(web).count("/missing") == 1


def test_500_then_success_is_retried_once_with_backoff(web, tmp_path):
    web.expect_oneshot_request("/flaky").respond_with_data("down", status=500)
    web.expect_request("/flaky").respond_with_data("up")
    sleeps = SleepLog()
    outcome = make_fetcher(tmp_path, sleep=sleeps).fetch(
        web.url_for("/flaky"), web_source("feed", "http://x")
    )
    assert outcome.page is not None and outcome.page.body == b"up"
    assert outcome.record.attempts == 2
    assert len(sleeps.delays) == 1


def test_persistent_503_gives_up_after_max_retries(web, tmp_path):
    web.expect_request("/down").respond_with_data("down", status=503)
    outcome = make_fetcher(tmp_path, fast_settings(max_retries=3)).fetch(
        web.url_for("/down"), web_source("feed", "http://x")
    )
    assert outcome.reject is not None and outcome.reject.reason == "http_503"
    assert outcome.record.attempts == 4
    assert requested_paths(web).count("/down") == 4


def test_429_is_retried_after_retry_after_seconds(web, tmp_path):
    web.expect_oneshot_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    web.expect_request("/busy").respond_with_data("fine")
    sleeps = SleepLog()
    outcome = make_fetcher(tmp_path, fast_settings(backoff_max=30.0), sleeps).fetch(
        web.url_for("/busy"), web_source("feed", "http://x")
    )
    assert outcome.page is not None
    assert sleeps.delays == [7.0]


def test_retry_after_longer_than_backoff_max_is_capped(web, tmp_path):
    web.expect_oneshot_request("/busy").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    web.expect_request("/busy").respond_with_data("fine")
    sleeps = SleepLog()
    make_fetcher(tmp_path, fast_settings(backoff_max=2.0), sleeps).fetch(
        web.url_for("/busy"), web_source("feed", "http://x")
    )
    assert sleeps.delays == [2.0]


@pytest.fixture
def hold() -> Iterator[threading.Event]:
    """Handlers wait on this until the test is over: the server answers only after the client
    gave up, however slow the machine, instead of after a pause that a loaded machine outlasts.
    """
    release = threading.Event()
    yield release
    release.set()


def test_read_timeout_is_retried_then_rejected_as_timeout(web, tmp_path, hold):
    def too_slow(request: Request) -> Response:
        hold.wait(PATIENCE_SECONDS)
        return Response("late")

    web.expect_request("/slow").respond_with_handler(too_slow)
    settings = fast_settings(read_timeout=0.05, max_retries=1)
    outcome = make_fetcher(tmp_path, settings).fetch(
        web.url_for("/slow"), web_source("feed", "http://x")
    )
    assert outcome.reject is not None and outcome.reject.reason == "timeout"
    assert (outcome.record.status, outcome.record.attempts) == (None, 2)


def test_body_that_stalls_midway_is_a_timeout_not_a_broken_connection(web, tmp_path, hold):
    def stalls(request: Request) -> Response:
        def chunks() -> Iterator[bytes]:
            yield b"<html>" * 100
            hold.wait(PATIENCE_SECONDS)
            yield b"</html>"

        return Response(chunks(), direct_passthrough=True)

    web.expect_request("/stall").respond_with_handler(stalls)
    settings = fast_settings(read_timeout=0.05, max_retries=0)
    outcome = make_fetcher(tmp_path, settings).fetch(
        web.url_for("/stall"), web_source("feed", "http://x")
    )
    assert outcome.reject is not None and outcome.reject.reason == "timeout"


def test_server_dripping_bytes_is_cut_off_at_the_total_time_limit_without_retry(
    web, tmp_path, hold
):
    def drips(request: Request) -> Response:
        def bytes_now_and_then() -> Iterator[bytes]:
            # a byte every 50 ms, well inside the read timeout, until the test is over
            while not hold.wait(0.05):
                yield b"x"

        return Response(bytes_now_and_then(), direct_passthrough=True)

    web.expect_request("/drip").respond_with_handler(drips)
    settings = fast_settings(read_timeout=1.0, total_timeout=0.3, max_retries=2)
    outcome = make_fetcher(tmp_path, settings).fetch(
        web.url_for("/drip"), web_source("feed", "http://x")
    )
    assert outcome.reject is not None and outcome.reject.reason == "too_slow"
    assert outcome.record.attempts == 1  # the server never finished: the client gave up


def test_gzip_transfer_encoding_is_undone_and_the_cap_counts_decoded_bytes(web, tmp_path):
    page = b"<html><body>" + b"Shelling reported near Horlivka. " * 200 + b"</body></html>"
    web.expect_request("/zipped").respond_with_data(
        gzip.compress(page), headers={"Content-Encoding": "gzip"}
    )
    web.expect_request("/zipped-big").respond_with_data(
        gzip.compress(page), headers={"Content-Encoding": "gzip"}
    )
    fetcher = make_fetcher(tmp_path, fast_settings(max_response_bytes=len(page)))
    outcome = fetcher.fetch(web.url_for("/zipped"), web_source("feed", "http://x"))
    assert outcome.page is not None and outcome.page.body == page
    small_cap = make_fetcher(tmp_path, fast_settings(max_response_bytes=len(page) - 1))
    refused = small_cap.fetch(web.url_for("/zipped-big"), web_source("feed", "http://x"))
    assert refused.reject is not None and refused.reject.reason == "too_large"


def test_unreachable_host_is_refused_and_its_robots_request_logged_as_connection_error(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    outcome = make_fetcher(tmp_path, fast_settings(max_retries=1)).fetch(
        f"http://127.0.0.1:{closed_port}/story", web_source("feed", "http://x")
    )
    assert outcome.reject is not None and outcome.reject.reason == "robots_unreachable"
    assert "Connection refused" in outcome.reject.detail
    (robots_request,) = outcome.robots_fetches
    assert (robots_request.error, robots_request.attempts) == ("connection_error", 2)


def test_declared_content_length_over_the_cap_is_rejected_as_too_large(web, tmp_path):
    web.expect_request("/big").respond_with_data(b"x" * 1000)
    outcome = make_fetcher(tmp_path, fast_settings(max_response_bytes=100)).fetch(
        web.url_for("/big"), web_source("feed", "http://x")
    )
    assert outcome.reject is not None and outcome.reject.reason == "too_large"
    assert "Content-Length" in outcome.reject.detail
    assert outcome.record.attempts == 1


def test_streamed_body_without_length_is_cut_off_past_the_cap(web, tmp_path):
    def endless(request: Request) -> Response:
        return Response((b"y" * 1000 for _ in range(50)), direct_passthrough=True)

    web.expect_request("/stream").respond_with_handler(endless)
    outcome = make_fetcher(tmp_path, fast_settings(max_response_bytes=5000)).fetch(
        web.url_for("/stream"), web_source("feed", "http://x")
    )
    assert outcome.reject is not None and outcome.reject.reason == "too_large"
    assert "body exceeds 5000 bytes" in outcome.reject.detail


def test_redirect_is_followed_and_both_urls_are_kept(web, tmp_path):
    web.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    web.expect_request("/new").respond_with_data("moved here")
    outcome = make_fetcher(tmp_path).fetch(web.url_for("/old"), web_source("feed", "http://x"))
    assert outcome.page is not None
    assert outcome.page.url == web.url_for("/new")
    assert outcome.page.requested_url == web.url_for("/old")
    assert outcome.record.url == web.url_for("/old")


def test_redirect_loop_is_rejected(web, tmp_path):
    web.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    web.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    outcome = make_fetcher(tmp_path).fetch(web.url_for("/a"), web_source("feed", "http://x"))
    assert outcome.reject is not None and outcome.reject.reason == "redirect_loop"
    assert outcome.record.attempts == 1


def test_redirect_chain_longer_than_max_redirects_is_rejected(web, tmp_path):
    for hop in range(4):
        web.expect_request(f"/hop{hop}").respond_with_data(
            "", status=307, headers={"Location": f"/hop{hop + 1}"}
        )
    web.expect_request("/hop4").respond_with_data("arrived")
    outcome = make_fetcher(tmp_path, fast_settings(max_redirects=2)).fetch(
        web.url_for("/hop0"), web_source("feed", "http://x")
    )
    assert outcome.reject is not None and outcome.reject.reason == "too_many_redirects"
    assert "/hop3" not in requested_paths(web)


def test_redirect_to_a_non_http_scheme_is_refused(web, tmp_path):
    web.expect_request("/sneaky").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )
    outcome = make_fetcher(tmp_path).fetch(web.url_for("/sneaky"), web_source("feed", "http://x"))
    assert outcome.reject is not None and outcome.reject.reason == "bad_redirect"


def test_non_http_url_is_rejected_without_any_request(web, tmp_path):
    outcome = make_fetcher(tmp_path).fetch("ftp://127.0.0.1/feed", web_source("feed", "http://x"))
    assert outcome.reject is not None and outcome.reject.reason == "bad_scheme"
    assert (outcome.record.attempts, outcome.record.status) == (0, None)
    assert web.log == []


def test_conditional_get_sends_validators_and_304_means_not_modified(web, tmp_path):
    remembered = Validators('"v1"', "Wed, 21 Oct 2015 07:28:00 GMT")
    web.expect_request(
        "/feed",
        headers={"If-None-Match": '"v1"', "If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"},
    ).respond_with_data("", status=304)
    outcome = make_fetcher(tmp_path).fetch(
        web.url_for("/feed"), web_source("feed", "http://x"), validators=remembered
    )
    assert outcome.not_modified
    assert outcome.reject is None and outcome.page is None
    assert outcome.validators == remembered


def test_new_validators_come_back_with_the_page(web, tmp_path):
    web.expect_request("/feed").respond_with_data(
        "<rss/>", headers={"ETag": '"v2"', "Last-Modified": "Thu, 22 Oct 2015 07:28:00 GMT"}
    )
    outcome = make_fetcher(tmp_path).fetch(web.url_for("/feed"), web_source("feed", "http://x"))
    assert outcome.validators == Validators('"v2"', "Thu, 22 Oct 2015 07:28:00 GMT")
    assert outcome.page is not None and outcome.page.etag == '"v2"'


def test_robots_wildcard_rules_block_matching_urls_only(web, tmp_path):
    web.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /*.pdf$\nDisallow: /search*\n"
    )
    web.expect_request("/report.pdf").respond_with_data("pdf")
    web.expect_request("/news/1").respond_with_data("story")
    fetcher, source = make_fetcher(tmp_path), web_source("feed", "http://x")
    blocked = fetcher.fetch(web.url_for("/report.pdf"), source)
    searched = fetcher.fetch(web.url_for("/search?q=shelling"), source)
    allowed = fetcher.fetch(web.url_for("/news/1"), source)
    assert blocked.reject is not None and blocked.reject.reason == "robots_disallowed"
    assert searched.reject is not None and searched.reject.reason == "robots_disallowed"
    assert (blocked.record.status, blocked.record.attempts) == (None, 0)
    assert allowed.page is not None
    assert requested_paths(web) == ["/robots.txt", "/news/1"]


def test_robots_is_read_once_per_host_and_logged_with_the_fetch_that_needed_it(web, tmp_path):
    web.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    web.expect_request("/story").respond_with_data("story")
    fetcher, source = make_fetcher(tmp_path), web_source("feed", "http://x")
    first = fetcher.fetch(web.url_for("/story"), source)
    second = fetcher.fetch(web.url_for("/story"), source)
    assert [record.url for record in first.robots_fetches] == [web.url_for("/robots.txt")]
    assert second.robots_fetches == ()
    assert requested_paths(web).count("/robots.txt") == 1


def test_robots_server_error_disallows_the_host_for_the_run(web, tmp_path):
    web.expect_request("/robots.txt").respond_with_data("oops", status=503)
    web.expect_request("/story").respond_with_data("story")
    fetcher, source = make_fetcher(tmp_path), web_source("feed", "http://x")
    outcomes = [fetcher.fetch(web.url_for("/story"), source) for _ in range(2)]
    assert [o.reject.reason for o in outcomes if o.reject] == ["robots_unreachable"] * 2
    assert "503" in outcomes[0].reject.detail
    assert "/story" not in requested_paths(web)


class SpacingLog(HostRateLimiter):
    """A limiter that remembers the spacing each request asked for, and waits for none."""

    def __init__(self, state_dir: Path) -> None:
        super().__init__(state_dir, sleep=lambda _: None)
        self.intervals: list[float] = []

    def wait(self, host: str, interval: float, *, max_wait: float = math.inf) -> float | None:
        self.intervals.append(interval)
        return super().wait(host, interval, max_wait=max_wait)


def test_robots_crawl_delay_spaces_requests_beyond_the_source_rate(web, tmp_path):
    web.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 0.2\n")
    web.expect_request("/story").respond_with_data("story")
    limiter = SpacingLog(tmp_path / "pacing")
    fetcher = Fetcher(fast_settings(), state_dir=tmp_path / "pacing", limiter=limiter)
    source = web_source("feed", "http://x")  # 1,000 requests/s: the rate alone spaces 1 ms
    for _ in range(2):
        fetcher.fetch(web.url_for("/story"), source)
    robots, *stories = limiter.intervals
    assert robots == 1 / source.rate_per_second  # robots.txt itself is paced at the rate
    assert stories == [0.2, 0.2]


def test_a_host_asking_for_a_day_between_requests_is_skipped_for_the_run_without_waiting(
    web, tmp_path
):
    web.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 86400\n")
    web.expect_request("/story").respond_with_data("story")
    limiter = SpacingLog(tmp_path / "pacing")
    fetcher = Fetcher(fast_settings(), state_dir=tmp_path / "pacing", limiter=limiter)
    outcomes = [fetcher.fetch(web.url_for("/story"), web_source("feed", "http://x")) for _ in "ab"]
    assert [o.reject.reason for o in outcomes if o.reject] == ["crawl_delay_too_long"] * 2
    assert "86400" in outcomes[0].reject.detail and "max_crawl_delay" in outcomes[0].reject.detail
    assert requested_paths(web) == ["/robots.txt"]
    assert 86400 not in limiter.intervals


def test_after_the_time_budget_no_request_starts_and_the_url_is_left_for_the_next_run(
    web, tmp_path
):
    web.expect_request("/story").respond_with_data("story")
    fetcher = make_fetcher(tmp_path, fast_settings(source_time_budget=0.05))
    wait_until(fetcher.out_of_time, "the time budget to run out")
    outcome = fetcher.fetch(web.url_for("/story"), web_source("feed", "http://x"))
    assert outcome.left_over and outcome.page is None and outcome.reject is None
    assert web.log == []


def test_a_pacing_slot_beyond_the_time_budget_is_neither_waited_for_nor_taken(web, tmp_path):
    web.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 20\n")
    web.expect_request("/story").respond_with_data("story")
    fetcher = Fetcher(fast_settings(source_time_budget=10), state_dir=tmp_path / "pacing")
    source = web_source("feed", "http://x")
    first, second = (fetcher.fetch(web.url_for(path), source) for path in ("/story", "/next"))
    assert first.page is not None and second.left_over
    assert requested_paths(web) == ["/robots.txt", "/story"]


def test_a_response_still_arriving_when_the_budget_runs_out_is_kept(web, tmp_path):
    fetcher = make_fetcher(tmp_path, fast_settings(source_time_budget=0.2))

    def answers_after_the_budget(request: Request) -> Response:
        wait_until(fetcher.out_of_time, "the time budget to run out")
        return Response("late but whole")

    web.expect_request("/story").respond_with_handler(answers_after_the_budget)
    outcome = fetcher.fetch(web.url_for("/story"), web_source("feed", "http://x"))
    assert outcome.page is not None and outcome.page.body == b"late but whole"


def test_no_retry_starts_when_its_backoff_would_end_past_the_budget(web, tmp_path):
    web.expect_request("/busy").respond_with_data("", status=503)
    sleeps = SleepLog()
    settings = fast_settings(source_time_budget=10, backoff_base=60.0, backoff_max=60.0)
    outcome = make_fetcher(tmp_path, settings, sleeps).fetch(
        web.url_for("/busy"), web_source("feed", "http://x")
    )
    assert outcome.reject is not None and outcome.reject.reason == "http_503"
    assert (outcome.record.attempts, sleeps.delays) == (1, [])
