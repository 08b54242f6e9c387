"""Being a good guest on other people's servers: robots.txt and per-host pacing.

Robots rules are parsed with Protego because the standard library's parser ignores the ``*`` and
``$`` wildcards that news sites use to fence off search and print pages. Following RFC 9309, a
robots.txt that is "unavailable" (4xx, or a redirect chain that never ends) allows everything,
and an "unreachable" one (5xx, 429, no answer) disallows the whole host for the run: crawling a
site whose rules we could not read is the impolite guess.

Pacing must hold across processes because several scheduled runs can hit the same host at once,
so the next allowed request time lives in one small file per host, updated under ``fcntl.flock``.
Each caller reserves a slot while holding the lock and sleeps after releasing it, so waiting
callers never hold each other up beyond their own slot. A server that asks us to slow down
(429/503 with Retry-After) is obeyed, up to ``backoff_max``.

No site may stall a run: a Crawl-delay over ``max_crawl_delay`` skips the host for the run
instead of being honoured, a caller never reserves a slot it could not use within its time
budget, and a stored slot further ahead than any caller may reserve (left by an older version
that honoured any Crawl-delay) is disregarded rather than waited for across runs.
"""

from __future__ import annotations

import fcntl
import math
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from protego import Protego

from config.settings import Settings


@dataclass(frozen=True)
class RobotsResponse:
    """What asking a host for robots.txt gave: a status (None if no answer) and the body."""

    status: int | None
    body: bytes = b""
    error: str | None = None


@dataclass(frozen=True)
class RobotsVerdict:
    """Whether one URL may be fetched and, if not, the reason code to record."""

    allowed: bool
    reason: str | None = None
    detail: str = ""
    crawl_delay: float | None = None


RobotsLoader = Callable[[str], RobotsResponse]


def origin_of(url: str) -> str:
    """``scheme://host[:port]``: robots.txt applies per origin, not per host name."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def host_key(url: str) -> str:
    """The host (with port) that pacing is counted against, whatever the scheme."""
    return urlsplit(url).netloc.lower()


class _HostRules:
    """The rules one origin gave us, or why we have none."""

    def __init__(self, response: RobotsResponse) -> None:
        self.parser: Protego | None = None
        self.unreachable: str | None = None
        status = response.status
        if status is not None and 200 <= status < 300:
            self.parser = Protego.parse(response.body.decode("utf-8", errors="replace"))
        elif status is None or status >= 500 or status == 429:
            self.unreachable = response.error or f"robots.txt answered HTTP {status}"
        # otherwise the site publishes no rules, so everything is allowed


class RobotsCache:
    """Robots decisions for one run, each origin's robots.txt read once (thread-safe)."""

    def __init__(self, user_agent: str, *, max_crawl_delay: float = math.inf) -> None:
        self._user_agent = user_agent
        self._max_crawl_delay = max_crawl_delay
        self._rules: dict[str, _HostRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def verdict(self, url: str, load: RobotsLoader) -> RobotsVerdict:
        """Allowed or not for ``url``; the first call per origin reads robots.txt with ``load``.

        The loader is given per call so the request it makes is paced and logged for the
        source that caused it.
        """
        rules = self._rules_for(origin_of(url), load)
        if rules.unreachable is not None:
            return RobotsVerdict(False, "robots_unreachable", rules.unreachable)
        if rules.parser is None:
            return RobotsVerdict(True)
        if not rules.parser.can_fetch(url, self._user_agent):
            return RobotsVerdict(False, "robots_disallowed", "disallowed by robots.txt")
        delay = rules.parser.crawl_delay(self._user_agent)
        if delay is not None and delay > self._max_crawl_delay:
            detail = (
                f"robots.txt asks for a Crawl-delay of {delay:g} s, more than max_crawl_delay "
                f"({self._max_crawl_delay:g} s): host skipped for this run"
            )
            return RobotsVerdict(False, "crawl_delay_too_long", detail)
        return RobotsVerdict(True, crawl_delay=delay)

    def _rules_for(self, origin: str, load: RobotsLoader) -> _HostRules:
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._rules:
                self._rules[origin] = _HostRules(load(f"{origin}/robots.txt"))
            return self._rules[origin]


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), never negative."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(
    attempt: int, settings: Settings, retry_after: float | None, jitter: Callable[[], float]
) -> float:
    """The server's Retry-After if given, else exponential with jitter; both capped.

    Half the delay is fixed and half random, so many workers retrying one host spread out
    without any of them retrying immediately.
    """
    if retry_after is not None:
        return min(retry_after, settings.backoff_max)
    ceiling = min(settings.backoff_max, settings.backoff_base * 2 ** (attempt - 1))
    return ceiling / 2 + jitter() * ceiling / 2


_UNSAFE_FILE_CHARS = re.compile(r"[^a-z0-9.-]")


class HostRateLimiter:
    """Spaces requests to one host at least ``interval`` seconds apart, across processes.

    ``horizon`` is the longest any caller may wait (the time budget): no caller reserves a slot
    further ahead, so a stored slot more than ``horizon`` plus one interval ahead was left by an
    older run with no such bound, and is disregarded.
    """

    def __init__(
        self,
        state_dir: Path,
        *,
        horizon: float = math.inf,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._state_dir = Path(state_dir)
        self._state_dir.mkdir(parents=True, exist_ok=True)
        self._horizon = horizon
        self._sleep = sleep
        self._clock = clock

    def wait(self, host: str, interval: float, *, max_wait: float = math.inf) -> float | None:
        """Block until this caller's slot for ``host``; returns the seconds waited, or None
        (without waiting or reserving) when that slot is more than ``max_wait`` away."""
        delay = self._reserve(host, interval, min(max_wait, self._horizon))
        if delay is not None and delay > 0:
            self._sleep(delay)
        return delay

    def _reserve(self, host: str, interval: float, max_wait: float) -> float | None:
        """Take the next free slot under the file lock; wall-clock time so processes agree."""
        path = self._state_dir / f"{_UNSAFE_FILE_CHARS.sub('_', host.lower())}.next"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            now = self._clock()
            stored = _read_float(fd)
            if stored - now > self._horizon + interval:
                stored = now  # no caller bounded by the horizon reserved that far ahead
            slot = max(now, stored)
            if slot - now > max_wait:
                return None
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)
            os.write(fd, repr(slot + interval).encode("ascii"))
            return slot - now
        finally:
            os.close(fd)  # closing releases the lock


def _read_float(fd: int) -> float:
    """The stored next-allowed time; an empty or damaged file means 'no one is waiting'."""
    os.lseek(fd, 0, os.SEEK_SET)
    try:
        return float(os.read(fd, 64).decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return 0.0
