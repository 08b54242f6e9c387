import itertools
import multiprocessing
import time
from datetime import UTC, datetime
from pathlib import Path

from tasks.fetching.politeness import (
    HostRateLimiter,
    RobotsCache,
    RobotsResponse,
    backoff_delay,
    parse_retry_after,
)
from tests.tasks.pages import fast_settings

AGENT = "newsdesk/0.1"


class FakeClock:
    """A shared, frozen wall clock: every slot a limiter hands out is then exact."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_two_limiters_sharing_a_dir_hand_out_slots_one_interval_apart(tmp_path):
    clock = FakeClock(1_000.0)
    first = HostRateLimiter(tmp_path, sleep=lambda _: None, clock=clock)
    second = HostRateLimiter(tmp_path, sleep=lambda _: None, clock=clock)
    waits = [limiter.wait("example.org", 0.5) for limiter in (first, second, first, second)]
    assert waits == [0.0, 0.5, 1.0, 1.5]


def test_hosts_are_paced_independently(tmp_path):
    limiter = HostRateLimiter(tmp_path, sleep=lambda _: None, clock=FakeClock(1_000.0))
    assert limiter.wait("a.example", 2.0) == 0.0
    assert limiter.wait("b.example:8080", 2.0) == 0.0
    assert limiter.wait("a.example", 2.0) == 2.0


def test_a_slot_in_the_past_means_no_wait(tmp_path):
    clock = FakeClock(1_000.0)
    limiter = HostRateLimiter(tmp_path, sleep=lambda _: None, clock=clock)
    limiter.wait("example.org", 1.0)
    clock.now = 1_005.0
    assert limiter.wait("example.org", 1.0) == 0.0


def test_damaged_state_file_is_treated_as_nobody_waiting(tmp_path):
    (tmp_path / "example.org.next").write_text("garbage")
    limiter = HostRateLimiter(tmp_path, sleep=lambda _: None, clock=FakeClock(1_000.0))
    assert limiter.wait("example.org", 1.0) == 0.0
    assert limiter.wait("example.org", 1.0) == 1.0


def test_a_reservation_left_far_ahead_by_an_older_run_is_disregarded(tmp_path):
    # what an uncapped Crawl-delay: 86400 left behind: the next slot a day away
    (tmp_path / "example.org.next").write_text(repr(1_000.0 + 86_400))
    limiter = HostRateLimiter(
        tmp_path, horizon=600.0, sleep=lambda _: None, clock=FakeClock(1_000.0)
    )
    assert limiter.wait("example.org", 1.0) == 0.0
    assert limiter.wait("example.org", 1.0) == 1.0


def test_a_reservation_within_the_horizon_is_still_waited_for(tmp_path):
    clock = FakeClock(1_000.0)
    limiter = HostRateLimiter(tmp_path, horizon=600.0, sleep=lambda _: None, clock=clock)
    waits = [limiter.wait("example.org", 30.0) for _ in range(3)]
    assert waits == [0.0, 30.0, 60.0]


def test_a_slot_further_away_than_the_caller_may_wait_is_neither_waited_for_nor_reserved(tmp_path):
    slept: list[float] = []
    limiter = HostRateLimiter(tmp_path, sleep=slept.append, clock=FakeClock(1_000.0))
    limiter.wait("example.org", 10.0)
    assert limiter.wait("example.org", 10.0, max_wait=5.0) is None
    assert slept == []
    assert limiter.wait("example.org", 10.0) == 10.0  # the refused slot was not taken


class RecordingClock:
    """The real wall clock, remembering what it last told the limiter.

    The limiter reads the clock once per reservation, under the file lock, so that reading
    plus the wait it returns is exactly the slot it granted: what the limiter decided, not
    when a descheduled process happened to look at the time afterwards.
    """

    def __init__(self) -> None:
        self.last = 0.0

    def __call__(self) -> float:
        self.last = time.time()
        return self.last


def _take_slots(state_dir: Path, count: int, interval: float, granted) -> None:
    clock = RecordingClock()
    limiter = HostRateLimiter(state_dir, clock=clock)
    for _ in range(count):
        waited = limiter.wait("shared.example", interval)
        granted.put(clock.last + waited)


def test_pacing_holds_across_processes(tmp_path):
    interval, per_process = 0.05, 4
    context = multiprocessing.get_context("fork")
    granted = context.Queue()
    workers = [
        context.Process(target=_take_slots, args=(tmp_path, per_process, interval, granted))
        for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    slots = sorted(granted.get(timeout=60) for _ in range(3 * per_process))
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert min(gaps) >= interval - 1e-6  # float rounding only: never two grants in one slot


def _rules(text: str, status: int = 200):
    calls: list[str] = []

    def load(robots_url: str) -> RobotsResponse:
        calls.append(robots_url)
        return RobotsResponse(status, text.encode())

    return load, calls


def test_robots_wildcards_and_end_anchors_are_honoured():
    load, _ = _rules("User-agent: *\nDisallow: /*.pdf$\nDisallow: /*?print=\n")
    robots = RobotsCache(AGENT)
    assert not robots.verdict("https://news.example/a/report.pdf", load).allowed
    assert robots.verdict("https://news.example/a/report.pdf?page=2", load).allowed
    assert not robots.verdict("https://news.example/story?print=1", load).allowed
    assert robots.verdict("https://news.example/story", load).allowed


def test_robots_group_for_our_agent_beats_the_star_group():
    load, _ = _rules("User-agent: *\nDisallow: /\n\nUser-agent: newsdesk\nAllow: /\n")
    assert RobotsCache(AGENT).verdict("https://news.example/story", load).allowed


def test_robots_is_loaded_once_per_origin():
    load, calls = _rules("User-agent: *\nAllow: /\n")
    robots = RobotsCache(AGENT)
    for url in ("https://a.example/1", "https://a.example/2", "http://a.example/3"):
        robots.verdict(url, load)
    assert calls == ["https://a.example/robots.txt", "http://a.example/robots.txt"]


def test_missing_robots_allows_everything():
    load, _ = _rules("not found", status=404)
    assert RobotsCache(AGENT).verdict("https://news.example/anything", load).allowed


def test_robots_server_error_or_rate_limit_disallows_with_a_clear_reason():
    for status in (500, 503, 429):
        load, _ = _rules("", status=status)
        verdict = RobotsCache(AGENT).verdict("https://news.example/story", load)
        assert (verdict.allowed, verdict.reason) == (False, "robots_unreachable")
        assert str(status) in verdict.detail


def test_robots_crawl_delay_is_reported():
    load, _ = _rules("User-agent: *\nCrawl-delay: 3\n")
    assert RobotsCache(AGENT).verdict("https://news.example/story", load).crawl_delay == 3.0


def test_a_crawl_delay_longer_than_the_cap_skips_the_host_naming_the_delay():
    load, _ = _rules("User-agent: *\nCrawl-delay: 86400\n")
    verdict = RobotsCache(AGENT, max_crawl_delay=30.0).verdict("https://news.example/story", load)
    assert (verdict.allowed, verdict.reason) == (False, "crawl_delay_too_long")
    assert "86400" in verdict.detail and "30" in verdict.detail


def test_a_crawl_delay_at_the_cap_is_honoured():
    load, _ = _rules("User-agent: *\nCrawl-delay: 30\n")
    verdict = RobotsCache(AGENT, max_crawl_delay=30.0).verdict("https://news.example/story", load)
    assert (verdict.allowed, verdict.crawl_delay) == (True, 30.0)


def test_retry_after_as_http_date_counts_from_now():
    now = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Fri, 01 Mar 2024 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Fri, 01 Mar 2024 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_backoff_doubles_per_attempt_with_half_of_it_jittered():
    settings = fast_settings(backoff_base=1.0, backoff_max=5.0)
    assert backoff_delay(1, settings, None, lambda: 0.0) == 0.5
    assert backoff_delay(2, settings, None, lambda: 1.0) == 2.0
    assert backoff_delay(3, settings, None, lambda: 1.0) == 4.0
    assert backoff_delay(4, settings, None, lambda: 1.0) == 5.0
