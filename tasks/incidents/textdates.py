"""Resolve the date phrases inside a sentence against the article's publication day.

Written as explicit rules because dateparser gets news usage wrong: with PREFER_DATES_FROM
'past' it sends "on Sunday" in a Sunday article back a week, and it returns nothing for
"overnight" or "earlier this week". Every rule here has a test.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
    r"Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_LEAD = r"(?:(?:later|earlier|late|early) (?:on |in )?|on |since |from )?"
_YEAR = r"(?:,? (?P<year>(?:19|20)\d\d))?"

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("day_month", rf"\b{_LEAD}(?P<day>[0-3]?\d)(?:st|nd|rd|th)? (?:of )?{_MONTH}{_YEAR}\b"),
        ("month_day", rf"\b{_LEAD}{_MONTH} (?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b{_YEAR}"),
        ("earlier_this_week", r"\bearlier (?:this|in the) week\b"),
        ("last_week", r"\blast week\b"),
        ("last_month", r"\blast month\b"),
        ("days_ago", r"\b(?P<count>\d+|two|three|four|five|six) days ago\b"),
        ("yesterday", r"\b(?:(?:late|early) )?yesterday(?: (?:morning|afternoon|evening))?\b"),
        ("last_night", r"\b(?:last|on) (?:night|evening)\b|\bovernight\b"),
        ("today", r"\btoday\b|\bthis (?:morning|afternoon|evening)\b|\btonight\b"),
        (
            "weekday",
            rf"\b{_LEAD}(?:last |this )?(?P<weekday>{'|'.join(WEEKDAYS)})"
            r"(?: (?:morning|afternoon|evening|night))?\b",
        ),
    )
)


@dataclass(frozen=True)
class TextDate:
    """When a sentence says its event happened, with the phrase that said so."""

    event_date: date
    date_start: date
    date_end: date
    time_precision: int  # 1 exact day, 2 week, 3 month
    date_basis: str


def local_day(published_at: datetime, timezone: str = "UTC") -> date:
    """The publication day where the source is: a 23:30 UTC story in Baku is the next day."""
    if published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=ZoneInfo("UTC"))
    return published_at.astimezone(ZoneInfo(timezone)).date()


def publication_date(published: date) -> TextDate:
    """The fallback: an undated sentence in an undated paragraph is about the day of writing."""
    return TextDate(published, published, published, 1, "publication date")


def headline_date(published: date) -> TextDate:
    """An undated headline standing alone: wire headlines mostly report the day before they
    were published (UCDP's Ukraine events: 684 one day before, 462 the same day), so the
    event is dated then, with the publication day as the end of its range."""
    before = published - timedelta(days=1)
    return TextDate(before, before, published, 2, "headline: day before publication")


def find_date(sentence: str, published: date) -> TextDate | None:
    """The first date phrase of ``sentence`` resolved against ``published``, or None."""
    found = []
    for name, pattern in _RULES:
        for match in pattern.finditer(sentence):
            resolved = _RESOLVERS[name](match, published)
            if resolved is not None:
                found.append((match.start(), resolved))
    if not found:
        return None
    return min(found, key=lambda item: item[0])[1]


def _basis(match: re.Match[str]) -> str:
    return match.group(0).strip()


def _exact(day: date, match: re.Match[str]) -> TextDate:
    return TextDate(day, day, day, 1, _basis(match))


def _explicit(match: re.Match[str], published: date) -> TextDate | None:
    month = next(i for i, m in enumerate(MONTHS, 1) if m.startswith(match["month"][:3].lower()))
    year = int(match["year"]) if match["year"] else published.year
    try:
        day = date(year, month, int(match["day"]))
    except ValueError:
        return None
    if not match["year"] and day > published + timedelta(days=1):
        day = day.replace(year=year - 1)  # "Dec. 30" in a January article is last year
    return _exact(day, match)


def _weekday(match: re.Match[str], published: date) -> TextDate:
    wanted = WEEKDAYS.index(match["weekday"].lower())
    back = (published.weekday() - wanted) % 7
    if back == 0 and match.group(0).lower().lstrip().startswith("last"):
        back = 7
    return _exact(published - timedelta(days=back), match)


def _earlier_this_week(match: re.Match[str], published: date) -> TextDate:
    monday = published - timedelta(days=published.weekday())
    end = max(monday, published - timedelta(days=1))
    return TextDate(monday, monday, end, 2, _basis(match))


def _last_week(match: re.Match[str], published: date) -> TextDate:
    monday = published - timedelta(days=published.weekday() + 7)
    return TextDate(monday, monday, monday + timedelta(days=6), 2, _basis(match))


def _last_month(match: re.Match[str], published: date) -> TextDate:
    end = published.replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    return TextDate(
        start, start, end.replace(day=monthrange(end.year, end.month)[1]), 3, _basis(match)
    )


def _days_ago(match: re.Match[str], published: date) -> TextDate:
    words = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
    count = match["count"].lower()
    return _exact(published - timedelta(days=int(words.get(count, count))), match)


def _night_before(match: re.Match[str], published: date) -> TextDate:
    """ "Overnight" and "last night" in a morning story span the evening before and today."""
    night = published - timedelta(days=1)
    return TextDate(night, night, published, 1, _basis(match))


_RESOLVERS = {
    "day_month": _explicit,
    "month_day": _explicit,
    "earlier_this_week": _earlier_this_week,
    "last_week": _last_week,
    "last_month": _last_month,
    "days_ago": _days_ago,
    "yesterday": lambda match, published: _exact(published - timedelta(days=1), match),
    "last_night": _night_before,
    "today": lambda match, published: _exact(published, match),
    "weekday": _weekday,
}
