"""HTTP fetching that keeps the bytes and accounts for every request.

Bodies are kept as raw bytes (``resp.text`` would decode charset-less HTML as ISO-8859-1); the
cleaning stage decodes them using ``RawPage.headers``, whose keys are lower-cased here. Only the
transfer's Content-Encoding (gzip, deflate) is undone, so the size cap counts what a parser would
see; the headers themselves are kept as the server sent them. Redirects
are followed by hand so each hop is checked against robots.txt, paced, and refused if it leaves
http(s). The retry loop is our own because urllib3's ``Retry`` retries no status unless told to,
and its sleep is injectable so tests of backoff take milliseconds.

A fetcher serves one source for one run and holds its time budget (``source_time_budget``): no
request, pacing wait or retry starts that could not begin before the budget runs out. A URL
cut off that way is *left over* (no page, no reject) for the caller to read again next run; a
response already arriving is still read in full, within ``total_timeout``.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError, SSLError
from urllib3.exceptions import HTTPError as TransferError

from config.settings import Settings
from config.sources import Source
from tasks.dedupe.urls import UrlRules, is_http_url
from tasks.fetching.netguard import (
    AddressRefused,
    GuardedAdapter,
    HeadersTooSlow,
    NetworkPolicy,
    Resolver,
    system_resolver,
)
from tasks.fetching.politeness import (
    HostRateLimiter,
    RobotsCache,
    RobotsResponse,
    RobotsVerdict,
    backoff_delay,
    host_key,
    parse_retry_after,
)
from tasks.records import FetchRecord, Link, RawPage, Reject

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_BYTES = 64 * 1024
TIME_BUDGET = "time_budget"  # FetchRecord.error of a fetch the time budget left for next run


class Validators(NamedTuple):
    """What a server said to remember for a conditional GET next time."""

    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class FetchOutcome:
    """One fetch: always a record; a page on 2xx, a reject on failure, neither on 304."""

    record: FetchRecord
    page: RawPage | None = None
    reject: Reject | None = None
    validators: Validators | None = None
    robots_fetches: tuple[FetchRecord, ...] = ()

    @property
    def not_modified(self) -> bool:
        return self.record.status == 304

    @property
    def left_over(self) -> bool:
        """Not fetched because the source's time budget ran out; nothing to reject."""
        return self.record.error == TIME_BUDGET


@dataclass
class _Attempt:
    """One try at a URL, redirects included: a final response or a failure reason."""

    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    failure: str | None = None
    detail: str = ""
    retryable: bool = False
    elapsed: float = 0.0

    def fail(self, reason: str, detail: str, *, retryable: bool = False) -> _Attempt:
        self.failure, self.detail, self.retryable = reason, detail, retryable
        return self


class _OutOfTime(Exception):
    """The next request or pacing wait could not start within the time budget."""


class _BodyRefused(Exception):
    """The body broke a limit (``too_large`` or ``too_slow``); raised mid-stream to stop reading."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class Fetcher:
    """Polite HTTP GETs for one source's run: robots, pacing, retries, size cap, conditional
    requests, and the source's time budget, which starts when the fetcher is made.

    Safe to share between threads; each thread gets its own ``requests.Session`` because a
    session's cookie jar and adapters are not meant to be used concurrently.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        state_dir: Path,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        limiter: HostRateLimiter | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        """``state_dir`` holds the per-host pacing files shared by every process on the machine;
        ``sleep`` and ``jitter`` are the retry backoff's, injectable so tests need not wait,
        ``limiter`` (by default one over ``state_dir``) lets a test see the spacing asked for,
        and ``resolver`` (host, port → addresses) lets a test send a public-looking name to
        127.0.0.1 without asking any DNS server.
        """
        self._settings = settings
        self._resolver = resolver
        self._deadline = time.monotonic() + settings.source_time_budget
        self._limiter = limiter or HostRateLimiter(state_dir, horizon=settings.source_time_budget)
        self._sleep = sleep
        self._jitter = jitter
        self._robots = RobotsCache(settings.user_agent, max_crawl_delay=settings.max_crawl_delay)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._guard = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def time_budget(self) -> float:
        return self._settings.source_time_budget

    def url_rules(self) -> UrlRules:
        """What the settings' URL rules say is noise in a URL, read for each harvest."""
        return UrlRules.load(self._settings.url_rules_file)

    def out_of_time(self) -> bool:
        """The time budget has run out: every fetch from now on is left over."""
        return time.monotonic() >= self._deadline

    def close(self) -> None:
        """Close every thread's connection pool."""
        with self._guard:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def fetch(
        self,
        url: str,
        source: Source,
        *,
        validators: Validators | None = None,
        link: Link | None = None,
    ) -> FetchOutcome:
        """GET ``url`` for ``source``; never raises for anything the network or server does."""
        started = datetime.now(UTC)
        robots_fetches: list[FetchRecord] = []
        if not is_http_url(url):
            attempt = _Attempt(url).fail("bad_scheme", "only http(s) URLs are fetched")
            return self._outcome(url, source, started, attempt, 0, link)
        if refusal := self._address_refusal(url, source):
            attempt = _Attempt(url).fail("internal_address", refusal)
            return self._outcome(url, source, started, attempt, 0, link)
        try:
            verdict = self._robots_verdict(url, source, robots_fetches)
            if verdict.allowed:
                attempt, attempts = self._with_retries(url, source, validators, robots_fetches)
            else:
                reason = verdict.reason or "robots"
                attempt, attempts = _Attempt(url).fail(reason, verdict.detail), 0
        except _OutOfTime:
            attempt, attempts = _Attempt(url).fail(TIME_BUDGET, "time budget ran out"), 0
        outcome = self._outcome(url, source, started, attempt, attempts, link, validators)
        return replace(outcome, robots_fetches=tuple(robots_fetches))

    def _with_retries(
        self,
        url: str,
        source: Source,
        validators: Validators | None,
        robots_fetches: list[FetchRecord] | None,
    ) -> tuple[_Attempt, int]:
        """Try until success, a final failure, or retries run out; returns the last try."""
        elapsed = 0.0
        for number in range(1, self._settings.max_retries + 2):
            attempt = self._follow_redirects(url, source, validators, robots_fetches)
            elapsed += attempt.elapsed
            if not attempt.retryable or number > self._settings.max_retries:
                break
            retry_after = parse_retry_after(attempt.headers.get("retry-after"), datetime.now(UTC))
            delay = backoff_delay(number, self._settings, retry_after, self._jitter)
            if time.monotonic() + delay >= self._deadline:
                break  # the retry could not start in time; the failure stands
            self._sleep(delay)
        attempt.elapsed = elapsed
        return attempt, number

    def _follow_redirects(
        self,
        url: str,
        source: Source,
        validators: Validators | None,
        robots_fetches: list[FetchRecord] | None,
    ) -> _Attempt:
        """One try: GET, then each redirect hop, up to ``max_redirects`` hops."""
        attempt, seen = _Attempt(url), {url}
        for _hop in range(self._settings.max_redirects + 1):
            crawl_delay = 0.0
            if robots_fetches is not None:
                verdict = self._robots_verdict(attempt.final_url, source, robots_fetches)
                if not verdict.allowed:
                    return attempt.fail(verdict.reason or "robots", verdict.detail)
                crawl_delay = verdict.crawl_delay or 0.0
            self._get(attempt, source, validators, crawl_delay)
            if attempt.failure or attempt.status not in REDIRECT_STATUSES:
                return attempt
            target = urljoin(attempt.final_url, attempt.headers.get("location", ""))
            if not attempt.headers.get("location") or not is_http_url(target):
                return attempt.fail("bad_redirect", f"redirect to {target!r} refused")
            if target in seen:
                return attempt.fail("redirect_loop", f"{target} was already visited")
            if refusal := self._address_refusal(target, source):
                return attempt.fail("internal_address", refusal)
            seen.add(target)
            attempt.final_url = target
        limit = self._settings.max_redirects
        return attempt.fail("too_many_redirects", f"more than {limit} redirects")

    def _get(
        self, attempt: _Attempt, source: Source, validators: Validators | None, crawl_delay: float
    ) -> None:
        """One HTTP request to ``attempt.final_url``, paced and capped; fills in ``attempt``.

        Raises ``_OutOfTime`` when the host's next slot falls after the time budget.
        """
        host = host_key(attempt.final_url)
        interval = max(1.0 / source.rate_per_second, crawl_delay)
        with self._slot(host, source.concurrency):
            max_wait = self._deadline - time.monotonic()
            if self._limiter.wait(host, interval, max_wait=max_wait) is None:
                raise _OutOfTime
            started = time.perf_counter()
            try:
                self._request(attempt, validators, self._session(self._policy(source)))
            finally:
                attempt.elapsed += time.perf_counter() - started

    def _request(
        self, attempt: _Attempt, validators: Validators | None, session: requests.Session
    ) -> None:
        settings = self._settings
        attempt.status, attempt.headers, attempt.body = None, {}, b""
        deadline = time.monotonic() + settings.total_timeout
        try:
            with session.get(
                attempt.final_url,
                headers=_conditional_headers(validators),
                timeout=(settings.connect_timeout, settings.read_timeout),
                allow_redirects=False,
                stream=True,
            ) as response:
                attempt.status = response.status_code
                attempt.headers = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code not in REDIRECT_STATUSES:
                    attempt.body = _read_capped(response, settings.max_response_bytes, deadline)
        except _BodyRefused as exc:
            attempt.fail(exc.reason, str(exc))
        except AddressRefused as exc:
            attempt.fail("internal_address", str(exc))
        except HeadersTooSlow as exc:
            attempt.fail("too_slow", str(exc))
        except (requests.RequestException, TransferError) as exc:
            reason, detail, retryable = _classify_error(exc)
            attempt.fail(reason, detail, retryable=retryable)
        else:
            _judge_status(attempt)

    def _robots_verdict(
        self, url: str, source: Source, robots_fetches: list[FetchRecord]
    ) -> RobotsVerdict:
        return self._robots.verdict(url, lambda r: self._load_robots(r, source, robots_fetches))

    def _load_robots(
        self, robots_url: str, source: Source, robots_fetches: list[FetchRecord]
    ) -> RobotsResponse:
        """Fetch robots.txt like any page (paced, retried, capped) but without a robots check."""
        started = datetime.now(UTC)
        attempt, attempts = self._with_retries(robots_url, source, None, None)
        robots_fetches.append(_record(robots_url, source, started, attempt, attempts))
        unreadable_rules = attempt.failure == "too_large" and 200 <= (attempt.status or 0) < 300
        if attempt.status is None or unreadable_rules:
            error = f"robots.txt unreachable: {attempt.failure} {attempt.detail}".strip()
            return RobotsResponse(None, error=error)
        return RobotsResponse(attempt.status, attempt.body)

    def _outcome(
        self,
        url: str,
        source: Source,
        started: datetime,
        attempt: _Attempt,
        attempts: int,
        link: Link | None,
        sent: Validators | None = None,
    ) -> FetchOutcome:
        record = _record(url, source, started, attempt, attempts)
        if attempt.failure == TIME_BUDGET:
            return FetchOutcome(record)
        if attempt.failure:
            detail = f"{attempt.detail} (attempts: {attempts})" if attempts else attempt.detail
            reject = Reject("fetch", attempt.failure, source.id, url, detail)
            return FetchOutcome(record, reject=reject)
        validators = _validators_of(attempt.headers, fallback=sent)
        if attempt.status == 304:
            return FetchOutcome(record, validators=validators)
        page = RawPage(
            url=attempt.final_url,
            source_id=source.id,
            body=attempt.body,
            fetched_at=started,
            status=attempt.status or 200,
            headers=attempt.headers,
            requested_url=url,
            listed_date=link.listed_date if link else None,
            listed_title=link.listed_title if link else None,
            etag=validators.etag,
            last_modified=validators.last_modified,
        )
        return FetchOutcome(record, page=page, validators=validators)

    def _address_refusal(self, url: str, source: Source) -> str | None:
        """Why ``url``'s host may not be reached, checked before robots.txt is read from it.

        The connection checks again (the name may resolve differently by then); this early
        check keeps a refused host out of the robots cache, which every source shares.
        """
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
            self._policy(source).addresses(parts.hostname or "", port)
        except AddressRefused as exc:
            return str(exc)
        except (OSError, ValueError):
            return None  # unresolvable or malformed: the request itself will say so
        return None

    def _policy(self, source: Source) -> NetworkPolicy:
        """Public addresses only, except the host the source is configured on (see netguard)."""
        own_host = urlsplit(source.url).hostname if source.url else None
        return NetworkPolicy(self._resolver, own_host, source.allow_private_network)

    def _session(self, policy: NetworkPolicy) -> requests.Session:
        """This thread's session for ``policy``: its connections check every address they use."""
        sessions = self._local.__dict__.setdefault("sessions", {})
        session = sessions.get(policy)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = self._settings.user_agent
            for scheme in ("http://", "https://"):
                session.mount(scheme, GuardedAdapter(policy, self._settings.total_timeout))
            sessions[policy] = session
            with self._guard:
                self._sessions.append(session)
        return session

    def _slot(self, host: str, concurrency: int) -> threading.BoundedSemaphore:
        """The per-host cap on requests in flight from this process."""
        with self._guard:
            return self._host_slots.setdefault(host, threading.BoundedSemaphore(concurrency))


def _conditional_headers(validators: Validators | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if validators and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def _validators_of(headers: dict[str, str], fallback: Validators | None) -> Validators:
    """A 304 may omit the validators; then the ones we sent are still the current ones."""
    etag, last_modified = headers.get("etag"), headers.get("last-modified")
    if etag is None and last_modified is None and fallback is not None:
        return fallback
    return Validators(etag, last_modified)


def _read_capped(response: requests.Response, cap: int, deadline: float) -> bytes:
    """The decoded body, refused early on a large Content-Length, mid-stream past ``cap`` bytes
    or once ``deadline`` (``time.monotonic``) passes.

    ``read1`` hands over whatever has arrived, so the deadline is checked as bytes come in:
    ``iter_content`` blocks until a whole chunk is in, and a server that sends a byte every few
    seconds never trips the read timeout, so it could hold a run (and the writer lock) for hours.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _BodyRefused("too_large", f"Content-Length {declared} exceeds {cap} bytes")
    chunks, size = [], 0
    while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
        size += len(chunk)
        if size > cap:
            raise _BodyRefused("too_large", f"body exceeds {cap} bytes")
        if time.monotonic() > deadline:
            raise _BodyRefused("too_slow", f"incomplete at total_timeout ({size} bytes so far)")
        chunks.append(chunk)
    return b"".join(chunks)


def _classify_error(
    exc: requests.RequestException | TransferError,
) -> tuple[str, str, bool]:
    """(reason, detail, retryable) for a request with no usable response; network trouble retries.

    Errors before the headers come from requests; errors while reading the body come straight
    from urllib3, because the body is read from the raw stream (see ``_read_capped``).
    """
    detail = f"{type(exc).__name__}: {exc}"[:300]
    if isinstance(exc, requests.Timeout | ReadTimeoutError):
        return "timeout", detail, True
    if isinstance(exc, requests.ConnectionError | ProtocolError | SSLError):
        return "connection_error", detail, True
    if isinstance(exc, requests.exceptions.ContentDecodingError | DecodeError):
        return "bad_encoding", detail, False
    return "bad_request", detail, False


def _judge_status(attempt: _Attempt) -> None:
    """5xx and 429 are worth retrying; other statuses outside 2xx/304/redirects are final."""
    status = attempt.status or 0
    if 200 <= status < 300 or status == 304 or status in REDIRECT_STATUSES:
        return
    retryable = status >= 500 or status == 429
    attempt.fail(f"http_{status}", f"HTTP {status}", retryable=retryable)


def _record(
    url: str, source: Source, started: datetime, attempt: _Attempt, attempts: int
) -> FetchRecord:
    """The log line for one fetch; elapsed counts time on the wire, not waits and backoff."""
    return FetchRecord(
        url=url,
        source_id=source.id,
        status=attempt.status,
        bytes=len(attempt.body),
        elapsed_ms=round(attempt.elapsed * 1000, 1),
        fetched_at=started,
        error=attempt.failure,
        attempts=attempts,
    )
