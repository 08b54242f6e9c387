"""Resolve the date phrases inside a sentence against the article's publication day.

Written as explicit rules because dateparser gets news usage wrong: with PREFER_DATES_FROM
'past' it sends "on Sunday" in a Sunday article back a week, and it returns nothing for
"overnight" or "earlier this week". Every rule here has a test.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tasks.incidents.alternations import factor_alternations

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

# Each rule as it reads from a word boundary on.
_RULE_SOURCES = (
    ("day_month", rf"{_LEAD}(?P<day>[0-3]?\d)(?:st|nd|rd|th)? (?:of )?{_MONTH}{_YEAR}\b"),
    ("month_day", rf"{_LEAD}{_MONTH} (?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b{_YEAR}"),
    ("earlier_this_week", r"earlier (?:this|in the) week\b"),
    ("last_week", r"last week\b"),
    ("last_month", r"last month\b"),
    ("days_ago", r"(?P<count>\d+|two|three|four|five|six) days ago\b"),
    ("yesterday", r"(?:(?:late|early) )?yesterday(?: (?:morning|afternoon|evening))?\b"),
    ("last_night", r"(?:last|on) (?:night|evening)\b|overnight\b"),
    ("today", r"today\b|this (?:morning|afternoon|evening)\b|tonight\b"),
    (
        "weekday",
        rf"{_LEAD}(?:last |this )?(?P<weekday>{'|'.join(WEEKDAYS)})"
        r"(?: (?:morning|afternoon|evening|night))?\b",
    ),
)
_RULES = {name: re.compile(rf"\b(?:{source})", re.IGNORECASE) for name, source in _RULE_SOURCES}


def _unnamed(source: str) -> str:
    """``source`` with its named groups plain ones: a name may appear once in a pattern."""
    return re.sub(r"\(\?P<\w+>", "(?:", source)


# Where some rule matches, found in one pass over the sentence rather than one per rule, the
# rules' words in one trie.
_ANY_RULE = re.compile(
    rf"\b(?:{factor_alternations('|'.join(_unnamed(source) for _, source in _RULE_SOURCES))})",
    re.IGNORECASE,
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
    for name, match in _phrases(sentence):
        resolved = _RESOLVERS[name](match, published)
        if resolved is not None:
            return resolved
    return None


def _phrases(sentence: str) -> Iterator[tuple[str, re.Match[str]]]:
    """What each rule finds reading the sentence on its own (its phrases never overlap), in
    the order they start, at one place in the order of the rules.

    One pass of all the rules at once finds where some rule matches; only there is each rule
    tried, not all along the sentence.
    """
    read_to = dict.fromkeys(_RULES, 0)  # where each rule's last phrase ends
    at = 0
    while (somewhere := _ANY_RULE.search(sentence, at)) is not None:
        start = somewhere.start()
        for name, rule in _RULES.items():
            match = rule.match(sentence, start) if start >= read_to[name] else None
            if match is not None:
                read_to[name] = match.end()
                yield name, match
        at = start + 1


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
        if (month, day.day) == (2, 29):
            return None  # "29 February" before it comes: last year had none, no day is meant
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
