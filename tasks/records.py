"""The records that flow between stages.

Plain frozen dataclasses so every stage can be tested without Prefect or DuckDB, and so the
warehouse can load a batch of them from Arrow in one statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta


def json_value(value: object) -> str:
    """JSON for what ``json`` does not know in a record: dates and times as ISO 8601."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@dataclass(frozen=True)
class Link:
    """A candidate article found in a feed, sitemap or index page."""

    url: str
    source_id: str
    listed_date: str | None = None  # raw date string the feed/sitemap gave, if any
    listed_title: str | None = None


@dataclass(frozen=True)
class FetchRecord:
    """One HTTP request (or archive read), kept whether it worked or not."""

    url: str
    source_id: str
    status: int | None  # None when no response arrived (timeout, DNS, refused, robots)
    bytes: int
    elapsed_ms: float
    fetched_at: datetime  # UTC
    error: str | None = None
    attempts: int = 1


@dataclass(frozen=True)
class RawPage:
    """A page as it arrived: the bytes are what every later stage can be re-run from."""

    url: str  # final URL after redirects
    source_id: str
    body: bytes
    fetched_at: datetime  # UTC
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    requested_url: str | None = None
    listed_date: str | None = None
    listed_title: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Reject:
    """Something that could not go on, with a reason an operator can act on."""

    stage: str  # discover | fetch | clean | date | dedupe | load | incidents
    reason: str  # short machine-friendly code, e.g. http_404, not_xml, too_large, no_body
    source_id: str | None
    url: str | None
    detail: str = ""


@dataclass(frozen=True)
class DateSignal:
    """One place a page states its publication date, as written there."""

    kind: str  # json_ld | meta | time | url | dateline | listed | fetch
    raw: str


@dataclass(frozen=True)
class CleanPage:
    """What extraction gets out of one page, before dates are chosen and duplicates found."""

    url: str
    title: str | None
    body: str
    byline: str | None
    language: str | None
    canonical_url: str | None  # rel=canonical / og:url as the page states it
    date_signals: tuple[DateSignal, ...] = ()


@dataclass(frozen=True)
class PublishedDate:
    """The chosen publication time and where it came from."""

    published_at: datetime | None  # UTC-aware
    source: str | None  # the DateSignal.kind used; 'listed' and 'fetch' are fallbacks
    raw: str | None
    is_fallback: bool = False
    # The page's own signals passed over as implausible (in the future, before the earliest
    # date), each with why: a fallback date is explainable only with them.
    discarded: tuple[tuple[DateSignal, str], ...] = ()
    # The page's own clock: its UTC offset (None when it wrote only UTC and its URL or a
    # date-only statement puts the story on another day) and the day its readers saw.
    utc_offset: timedelta | None = None
    local_date: date | None = None
