"""Publication dates: parse what pages write, then choose the signal to believe.

A wrong date moves an incident to another day in every daily count, so the choice is ordered by
how often each kind of signal was right on the 200-page pubdate evaluation (``bench/eval_text``):
structured publication dates first, modified dates after them, the URL, visible datelines, the
lead image's URL, and last a date htmldate found only by searching the page's text. Fallbacks (feed
date, fetch time) are used only when the page says nothing usable, and flagged.

The instant is kept in UTC, and beside it the page's own clock (``page_clock``): the offset the
page wrote and the calendar day its readers saw, which is the day a story is filed under.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import dateparser

from tasks.records import DateSignal, PublishedDate, Reject

# Order of belief; a lower rank wins. Kinds not listed rank after the page's own signals.
KIND_RANK = {
    "meta": 0,
    "json_ld": 1,
    "time": 2,
    "htmldate": 3,
    "json_ld_modified": 4,
    "meta_modified": 5,
    "url": 6,
    "dateline": 7,
    "image_url": 8,
    "htmldate_text": 9,
    "listed": 20,
    "fetch": 21,
}
FALLBACK_KINDS = frozenset({"listed", "fetch"})
# Signals that say which clock the site keeps, never when a story was published.
SITE_OFFSET = "site_offset"
# A date that parsed but cannot be true, as opposed to text that is not a date at all.
IMPLAUSIBLE = frozenset({"date_in_future", "date_before_earliest"})
# Kinds that state the publication itself (not an edit, not a guess): when the chosen time is
# written in UTC, their offset or calendar day is the page's own clock.
CLOCK_KINDS = frozenset({"meta", "json_ld", "time", "url"})
# Two signals within a minute of each other name the same moment, written in two offsets.
SAME_INSTANT = timedelta(minutes=1)
# How far from UTC a newsroom's clock can be. East, every offset in use (to +14:00). West, the
# Americas' newsrooms reach -8:00 (US Pacific): beyond that few stories are published, while a
# URL minted the day before a story goes out is common, so a previous URL day is the slug's.
WEST_MOST, EAST_MOST = timedelta(hours=-8), timedelta(hours=14)
# Servers with slightly fast clocks and feeds stamped minutes ahead are common; hours are not.
CLOCK_SKEW = timedelta(hours=2)
MAX_WRITTEN_LENGTH = 120

URL_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<sep>[/_-]?)(?P<m>0[1-9]|1[0-2])(?P=sep)(?P<d>0[1-9]|[12]\d|3[01])"
    r"(?!\d)"
)
ISO_PREFIX = re.compile(
    r"^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d?(?:[.,]\d+)?)?)?(?:\s*(?:Z|[+-]\d\d:?\d\d))?",
    re.I,
)
DAY_FIRST = re.compile(
    r"^(?P<d>\d{1,2})[.-](?P<m>\d{1,2})[.-](?P<y>\d{4})(?:[\sT,]+(?P<H>\d{1,2})[:.](?P<M>\d\d))?"
)
RFC822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d\d:\d\d")
GMT_OFFSET = re.compile(r"\b(?:GMT|UTC)\s*(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d\d))?\b", re.I)
# "23:15:0Z": a template that prints seconds without their leading zero.
ONE_DIGIT_SECONDS = re.compile(r"([T ]\d\d:\d\d:)(\d)(?!\d)")
LEADING_LABEL = re.compile(r"^[^\d:]{1,30}:\s*")
DATEPARSER_SETTINGS = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DATES_FROM": "past",
}


def parse_date(raw: str, tz_hint: str) -> datetime | None:
    """Any date form news sites use, as a UTC instant; naive times are in the site's zone."""
    parsed = parse_as_written(raw)
    return _as_utc(parsed, tz_hint) if parsed is not None else None


def parse_as_written(raw: str) -> datetime | None:
    """The date in the offset the page wrote (naive if none): its day is the one readers saw."""
    text = raw.strip()
    if not text:
        return None
    parsers: tuple[Callable[[str], datetime | None], ...] = (
        (_url_date,) if _looks_like_url(text) else (_rfc822, _iso8601, _day_first, _written)
    )
    for parser in parsers:
        parsed = parser(text)
        if parsed is not None:
            return parsed
    return None


def choose_published(
    signals: Sequence[DateSignal],
    *,
    tz_hint: str,
    fetched_at: datetime | None,
    earliest: date,
    now: datetime,
) -> PublishedDate | Reject:
    """The best-ranked usable signal; a page cannot be published after it was fetched."""
    latest = min(now, fetched_at) if fetched_at else now
    skipped: list[tuple[DateSignal, str]] = []
    dates = [signal for signal in signals if signal.kind != SITE_OFFSET]
    for signal in sorted(dates, key=lambda s: KIND_RANK.get(s.kind, len(KIND_RANK))):
        parsed = parse_date(signal.raw, tz_hint)
        reason = _unusable(parsed, earliest, latest + CLOCK_SKEW)
        if reason is None and parsed is not None:
            is_fallback = signal.kind in FALLBACK_KINDS
            discarded = tuple((s, why) for s, why in skipped if why in IMPLAUSIBLE)
            offset, local_date = page_clock(signal, parsed, signals, tz_hint)
            return PublishedDate(
                parsed, signal.kind, signal.raw, is_fallback, discarded, offset, local_date
            )
        skipped.append((signal, reason or "unparseable_date"))
    if not skipped:
        return Reject("date", "no_date_signal", None, None)
    detail = "; ".join(f"{s.kind}={s.raw!r}: {why}" for s, why in skipped)
    return Reject("date", skipped[0][1], None, None, detail[:500])


def page_clock(
    chosen: DateSignal, instant: datetime, signals: Sequence[DateSignal], tz_hint: str
) -> tuple[timedelta | None, date]:
    """The page's UTC offset for ``instant`` (None when unknown) and the day its readers saw.

    A time written with an offset is that offset's; a naive one is the source's zone. A time
    written in UTC is often the CMS's storage format rather than the newsroom's clock, so the
    page's other statements of its publication decide: the same instant written with another
    offset gives that offset; a date-only one (the URL's /2020/02/17/, a date-only meta) within
    the days the instant can fall on gives the day, while the offset stays unknown. Failing
    both, the zone configured for the source is its clock, else the offset the site prints its
    other times in.
    """
    written = parse_as_written(chosen.raw)
    if written is None or written.tzinfo is None:
        local = instant.astimezone(ZoneInfo(tz_hint))
        return local.utcoffset(), local.date()
    if written.utcoffset() or chosen.kind not in CLOCK_KINDS:
        return written.utcoffset(), written.date()
    others = [parse_as_written(s.raw) for s in signals if s.kind in CLOCK_KINDS and s != chosen]
    for other in others:
        if other is not None and other.utcoffset() and abs(other - instant) <= SAME_INSTANT:
            return other.utcoffset(), instant.astimezone(other.tzinfo).date()
    days = [o.date() for o in others if o is not None and _is_date_only(o)]
    earliest, latest = (instant + WEST_MOST).date(), (instant + EAST_MOST).date()
    day = next((d for d in days if earliest <= d <= latest), None)
    if day is not None:
        return (written.utcoffset(), day) if day == instant.date() else (None, day)
    if tz_hint != "UTC":  # a zone configured for the source: the operator knows its clock
        local = instant.astimezone(ZoneInfo(tz_hint))
        return local.utcoffset(), local.date()
    site = _site_offset(signals)
    if site is not None:
        return site, instant.astimezone(timezone(site)).date()
    return written.utcoffset(), instant.date()


def _site_offset(signals: Sequence[DateSignal]) -> timedelta | None:
    """The offset of the site's clock (``clean.site_clock``), if the page showed one."""
    for signal in signals:
        if signal.kind == SITE_OFFSET:
            sign = -1 if signal.raw.startswith("-") else 1
            hours, minutes = signal.raw[1:].split(":")
            return sign * timedelta(hours=int(hours), minutes=int(minutes))
    return None


def on_page_clock(dated: PublishedDate) -> datetime | None:
    """The publication time in the page's own offset, as its readers saw it (UTC if unknown)."""
    if dated.published_at is None or dated.utc_offset is None:
        return dated.published_at
    return dated.published_at.astimezone(timezone(dated.utc_offset))


def offset_minutes(offset: timedelta | None) -> int | None:
    """An offset as whole minutes east of UTC, the unit SQL and ISO 8601 both count in."""
    return None if offset is None else int(offset.total_seconds() // 60)


def _is_date_only(written: datetime) -> bool:
    return written.tzinfo is None and written.time() == datetime.min.time()


def _unusable(parsed: datetime | None, earliest: date, latest: datetime) -> str | None:
    if parsed is None:
        return "unparseable_date"
    if parsed > latest:
        return "date_in_future"
    if parsed.date() < earliest:
        return "date_before_earliest"
    return None


def _looks_like_url(text: str) -> bool:
    return text.startswith(("http://", "https://", "/")) or (text.isdigit() and len(text) == 8)


def _url_date(text: str) -> datetime | None:
    match = URL_DATE.search(text)
    if not match:
        return None
    return _checked(int(match["y"]), int(match["m"]), int(match["d"]))


def _rfc822(text: str) -> datetime | None:
    if not RFC822.match(text):
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None


def _iso8601(text: str) -> datetime | None:
    match = ISO_PREFIX.match(text)
    if not match:
        return None
    value = ONE_DIGIT_SECONDS.sub(r"\g<1>0\2", match.group(0).replace(",", "."))
    try:
        return datetime.fromisoformat(value.replace(" +", "+").replace(" -", "-"))
    except ValueError:
        return None


def _day_first(text: str) -> datetime | None:
    match = DAY_FIRST.match(text)
    if not match:
        return None
    day = _checked(int(match["y"]), int(match["m"]), int(match["d"]))
    if day is None or match["H"] is None or int(match["H"]) > 23:
        return day
    return day.replace(hour=int(match["H"]), minute=int(match["M"]))


def _written(text: str) -> datetime | None:
    """Month names in any language via dateparser, after making 'GMT+4' mean UTC+4."""
    if len(text) > MAX_WRITTEN_LENGTH:
        return None
    text = GMT_OFFSET.sub(_offset, LEADING_LABEL.sub("", text.replace("|", " ")))
    try:
        return dateparser.parse(text, settings=DATEPARSER_SETTINGS)
    except (ValueError, OverflowError, TypeError):
        return None


def _offset(match: re.Match[str]) -> str:
    """Write the offset ISO-style: dateparser (like POSIX 'Etc/GMT+4') would flip its sign."""
    return f" {match['sign']}{int(match['h']):02d}:{match['m'] or '00'}"


def _checked(year: int, month: int, day: int) -> datetime | None:
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def _as_utc(parsed: datetime, tz_hint: str) -> datetime:
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz_hint))
    return parsed.astimezone(UTC)
