"""Many articles' reports of one event -> one incident, by rules an analyst can check.

Articles are read one at a time; each gives a ``Report`` (its own coding of the event with its
sentences). Reports sharing an ``incident_key`` are one event. The rules:

- Casualties: ``best`` is the best figure of the most recent report that gave one (tolls are
  revised as bodies are found, so later reports supersede; same-time reports: the most common
  figure, then the larger); ``low`` is the lowest floor any report gave (its low, else its
  best); ``high`` is the highest figure any report gave. So low <= best <= high, and every
  figure is one some article printed.
- Claims: every party that claimed it and every party that denied it is kept; claimed by one
  and denied by another is ``disputed``.
- Dates come from the most precise report, places from the most precisely located one, actors
  are the most often named (ties: the first reported); civilians killed if any report says so.
- ``num_articles``/``num_sources`` count distinct articles/sources; ``first_reported_at`` is the
  earliest publication.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import groupby
from pathlib import Path

from tasks.incidents.model import Casualties, Incident

EXTRACTOR_DIR = Path(__file__).resolve().parent
LEXICON_FILES = ("lexicons/*.yaml", "gazetteer.yaml")


@dataclass(frozen=True)
class Report:
    """One article's account of one incident: what merging weighs."""

    incident: Incident
    article_id: str
    source_id: str
    url: str
    published_at: datetime


@dataclass(frozen=True)
class MergedIncident:
    """One event as all its articles report it, with the mentions that carry every figure."""

    incident: Incident
    incident_id: str
    num_articles: int
    num_sources: int
    first_reported_at: datetime
    reports: tuple[Report, ...]


def incident_id(incident_key: str) -> str:
    """Stable across runs and databases, so analysts can cite an incident by its id."""
    return hashlib.sha1(incident_key.encode("utf-8")).hexdigest()[:16]


def extractor_version(config_dir: Path) -> str:
    """A fingerprint of the extractor's code and lexicons.

    Any edit to how text is read changes it, so every article is read again by the new
    extractor without anyone remembering to bump a number. Merge rules are not part of it:
    changing them needs no re-extraction, only ``force``.
    """
    digest = hashlib.sha1()
    code = sorted(p for p in EXTRACTOR_DIR.glob("*.py") if p.name != "merge.py")
    lexicons = sorted(p for pattern in LEXICON_FILES for p in config_dir.glob(pattern))
    for path in (*code, *lexicons):
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def merge_all(reports: Iterable[Report]) -> list[MergedIncident]:
    """Group reports by incident key and merge each group, in key order."""
    keyed = sorted(reports, key=lambda r: r.incident.incident_key)
    return [merge_reports(list(group))
            for _, group in groupby(keyed, key=lambda r: r.incident.incident_key)]


def merge_reports(reports: Sequence[Report]) -> MergedIncident:
    """Reports of one incident (same ``incident_key``) as one incident row."""
    ordered = sorted(reports, key=lambda r: (r.published_at, r.article_id))
    incidents = [r.incident for r in ordered]
    if len({i.incident_key for i in incidents}) != 1:
        raise ValueError("merge_reports needs reports of one incident")
    dated = min(incidents, key=lambda i: i.time_precision)
    placed = min(incidents, key=lambda i: i.geo_precision or 4)
    claimed_by, denied_by = _parties(incidents, "claimed_by"), _parties(incidents, "denied_by")
    merged = replace(
        dated,
        location=placed.location, admin1=placed.admin1, country=placed.country,
        latitude=placed.latitude, longitude=placed.longitude, geonameid=placed.geonameid,
        geo_precision=placed.geo_precision,
        actor1=_most_named(incidents, "actor1"), actor2=_most_named(incidents, "actor2"),
        killed=combine_casualties([(r.published_at, r.incident.killed) for r in ordered]),
        injured=combine_casualties([(r.published_at, r.incident.injured) for r in ordered]),
        civilian_killed=_civilian(incidents),
        claim_status=claim_status(claimed_by, denied_by), claimed_by=claimed_by,
        denied_by=denied_by,
        mentions=tuple(m for i in incidents for m in i.mentions),
    )  # fmt: skip
    return MergedIncident(
        incident=merged,
        incident_id=incident_id(merged.incident_key),
        num_articles=len({r.article_id for r in ordered}),
        num_sources=len({r.source_id for r in ordered}),
        first_reported_at=ordered[0].published_at,
        reports=tuple(ordered),
    )


def combine_casualties(reported: Sequence[tuple[datetime, Casualties]]) -> Casualties:
    """The range of several reports of one toll (rules in the module docstring)."""
    floors = [c.low if c.low is not None else c.best for _, c in reported]
    figures = [v for _, c in reported for v in (c.low, c.best, c.high)]
    return Casualties(
        low=_extreme(min, floors), best=_latest_best(reported), high=_extreme(max, figures)
    )


def claim_status(claimed_by: str | None, denied_by: str | None) -> str:
    """What analysts filter on: a claim someone denies is disputed, not claimed."""
    if claimed_by and denied_by:
        return "disputed"
    if denied_by:
        return "denied"
    return "claimed" if claimed_by else "reported"


def _latest_best(reported: Sequence[tuple[datetime, Casualties]]) -> int | None:
    given = [(when, c.best) for when, c in reported if c.best is not None]
    if not given:
        return None
    latest = max(when for when, _ in given)
    counts = Counter(best for when, best in given if when == latest)
    return max(counts, key=lambda best: (counts[best], best))


def _extreme(pick: Callable[[list[int]], int], values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return pick(present) if present else None


def _parties(incidents: Sequence[Incident], field: str) -> str | None:
    """Every distinct party named, first named first, joined by '; '."""
    names = dict.fromkeys(
        part.strip()
        for i in incidents if getattr(i, field)
        for part in getattr(i, field).split(";")
    )  # fmt: skip
    return "; ".join(names) if names else None


def _most_named(incidents: Sequence[Incident], field: str) -> str | None:
    named = [getattr(i, field) for i in incidents if getattr(i, field)]
    if not named:
        return None
    counts = Counter(named)
    return max(counts, key=lambda name: (counts[name], -named.index(name)))


def _civilian(incidents: Sequence[Incident]) -> bool | None:
    said = [i.civilian_killed for i in incidents if i.civilian_killed is not None]
    return any(said) if said else None
