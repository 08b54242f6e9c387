"""Many articles' reports of one event -> one incident, by rules an analyst can check.

Articles are read one at a time; each gives a ``Report`` (its own coding of the event with its
sentences). Reports sharing an ``incident_key`` are one event. The rules:

- Casualties: ``best`` is the best figure of the most recent report that gave one (tolls are
  revised as bodies are found, so later reports supersede; same-time reports: the most common
  figure, then the larger); ``low`` is the lowest floor any report gave (its low, else its
  best); ``high`` is the highest figure any report gave. A report whose own range is out of
  order (a floor above its best, a ceiling below it) is first clamped to its best, so
  low <= best <= high always holds and every figure is one some article printed.
- Claims: every party that claimed it and every party that denied it is kept; claimed by one
  and denied by another is ``disputed``. (The incident key keeps contested reports, denied or
  disputed, apart from uncontested ones, so this happens among the contested reports.)
- Dates come from the most precise report, places from the most precisely located one, actors
  are the most often named (ties: the first reported); civilians killed if any report says so.
- ``num_articles``/``num_sources`` count distinct articles/sources; ``first_reported_at`` is the
  earliest publication.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from tasks.incidents.extract import extract_incidents
from tasks.incidents.model import (
    CODING_FIELDS,
    FIGURE_ENDS,
    Casualties,
    Incident,
    Mention,
)
from tasks.incidents.reader import IncidentReader
from tasks.records import Reject

Extractor = Callable[..., list[Incident]]

EXTRACTOR_DIR = Path(__file__).resolve().parent
LEXICON_FILES = ("lexicons/*.yaml", "gazetteer.yaml", "models/*.npz")


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
    incident_key: str  # the key its reports share, even if the merged coding would derive another
    incident_id: str
    num_articles: int
    num_sources: int
    first_reported_at: datetime
    reports: tuple[Report, ...]


def incident_id(incident_key: str) -> str:
    """Stable across runs and databases, so analysts can cite an incident by its id."""
    return hashlib.sha1(incident_key.encode("utf-8")).hexdigest()[:16]


def extractor_version(config_dir: Path) -> str:
    """A fingerprint of the extractor's code, lexicons and type model; take it once per run.

    Any edit to how text is read changes it, so every article is read again by the new
    extractor without anyone remembering to bump a number. Taken once, when the run starts,
    because a run keeps using the code it loaded: files edited under it must not relabel its
    output. Merge rules are not part of it: changing them needs no re-extraction, only
    ``force``.
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
    return [
        merge_reports(list(group))
        for _, group in groupby(keyed, key=lambda r: r.incident.incident_key)
    ]


def merge_reports(reports: Sequence[Report]) -> MergedIncident:
    """Reports of one incident (same ``incident_key``) as one incident row."""
    ordered = sorted(reports, key=lambda r: (r.published_at, r.article_id))
    incidents = [r.incident for r in ordered]
    keys = {i.incident_key for i in incidents}
    if len(keys) != 1:
        raise ValueError("merge_reports needs reports of one incident")
    (key,) = keys
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
        claim_status=claim_status([i.claim_status for i in incidents], claimed_by, denied_by),
        claimed_by=claimed_by,
        denied_by=denied_by,
        mentions=tuple(m for i in incidents for m in i.mentions),
    )  # fmt: skip
    return MergedIncident(
        incident=merged,
        incident_key=key,
        incident_id=incident_id(key),
        num_articles=len({r.article_id for r in ordered}),
        num_sources=len({r.source_id for r in ordered}),
        first_reported_at=ordered[0].published_at,
        reports=tuple(ordered),
    )


def combine_casualties(reported: Sequence[tuple[datetime, Casualties]]) -> Casualties:
    """The range of several reports of one toll (rules in the module docstring)."""
    reported = [(when, ordered_range(figure)) for when, figure in reported]
    floors = [c.low if c.low is not None else c.best for _, c in reported]
    figures = [v for _, c in reported for v in (c.low, c.best, c.high)]
    return Casualties(
        low=_extreme(min, floors), best=_latest_best(reported), high=_extreme(max, figures)
    )


def ordered_range(figure: Casualties) -> Casualties:
    """The figure with low <= best <= high, whatever order the extractor gave them in.

    A floor above the best drops to it and a ceiling below the best (or the floor) rises to
    it: every number stays one the text printed, and the warehouse's CHECKs always hold.
    """
    low, best, high = figure.low, figure.best, figure.high
    if low is not None and best is not None:
        low = min(low, best)
    if high is not None:
        high = max(v for v in (low, best, high) if v is not None)
    return Casualties(low, best, high)


def claim_status(statuses: Sequence[str], claimed_by: str | None, denied_by: str | None) -> str:
    """What analysts filter on: a claim someone denies is disputed, not claimed.

    The reports' own statuses count as well as the parties named, so a denial whose denier was
    not named still keeps the incident contested (and its key unchanged).
    """
    claimed = bool(claimed_by) or any(s in ("claimed", "disputed") for s in statuses)
    denied = bool(denied_by) or any(s in ("denied", "disputed") for s in statuses)
    if claimed and denied:
        return "disputed"
    if denied:
        return "denied"
    return "claimed" if claimed else "reported"


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


def _parties(incidents: Sequence[Incident], role: str) -> str | None:
    """Every distinct party named, first named first, joined by '; '."""
    names = dict.fromkeys(
        part.strip()
        for i in incidents if getattr(i, role)
        for part in getattr(i, role).split(";")
    )  # fmt: skip
    return "; ".join(names) if names else None


def _most_named(incidents: Sequence[Incident], role: str) -> str | None:
    named = [getattr(i, role) for i in incidents if getattr(i, role)]
    if not named:
        return None
    counts = Counter(named)
    return max(counts, key=lambda name: (counts[name], -named.index(name)))


def _civilian(incidents: Sequence[Incident]) -> bool | None:
    said = [i.civilian_killed for i in incidents if i.civilian_killed is not None]
    return any(said) if said else None


# --- between reports and warehouse rows -------------------------------------------------------


def incident_row(merged: MergedIncident, run_id: str) -> dict[str, Any]:
    """The ``incidents`` row of a merged incident."""
    return {
        **coding_columns(merged.incident),
        "incident_id": merged.incident_id,
        "incident_key": merged.incident_key,
        "num_articles": merged.num_articles,
        "num_sources": merged.num_sources,
        "first_reported_at": merged.first_reported_at,
        "last_updated_run": run_id,
    }


def mention_row(report: Report, run_id: str, version: str) -> dict[str, Any]:
    """The ``incident_mentions`` row of one article's report, its sentences included."""
    return {
        **coding_columns(report.incident),
        "incident_id": incident_id(report.incident.incident_key),
        "article_id": report.article_id,
        "url": report.url,
        "source_id": report.source_id,
        "published_at": report.published_at,
        "run_id": run_id,
        "extractor_version": version,
        "sentences": sentence_rows(report.incident.mentions),
    }


def sentence_rows(mentions: Iterable[Mention]) -> list[dict[str, Any]]:
    """The ``sentences`` of an ``incident_mentions`` row: each one's offsets and figures."""
    return [
        {"sentence": m.sentence, "start_char": m.start, "end_char": m.end,
         **_figures(m.killed, m.injured)}
        for m in mentions
    ]  # fmt: skip


def report_from_row(row: dict[str, Any]) -> Report:
    """A stored mention row back as the report it was made from, for re-merging."""
    mentions = tuple(
        Mention(s["sentence"], s["start_char"], s["end_char"], _casualties(s, "killed"),
                _casualties(s, "injured"), row["article_id"], row["url"], row["source_id"])
        for s in row["sentences"]
    )  # fmt: skip
    incident = Incident(
        **{name: row[name] for name in CODING_FIELDS},
        killed=_casualties(row, "killed"),
        injured=_casualties(row, "injured"),
        mentions=mentions,
    )
    return Report(incident, row["article_id"], row["source_id"], row["url"], row["published_at"])


def coding_columns(incident: Incident) -> dict[str, Any]:
    """The columns ``incidents`` and ``incident_mentions`` share, casualty ranges flattened."""
    return {
        **{name: getattr(incident, name) for name in CODING_FIELDS},
        **_figures(incident.killed, incident.injured),
    }


def _figures(killed: Casualties, injured: Casualties) -> dict[str, int | None]:
    """Ordered ranges: every row written, merged or one article's, satisfies the CHECKs."""
    return {
        f"{kind}_{end}": getattr(ordered_range(figure), end)
        for kind, figure in (("killed", killed), ("injured", injured))
        for end in FIGURE_ENDS
    }


def _casualties(row: dict[str, Any], kind: str) -> Casualties:
    return Casualties(*(row[f"{kind}_{end}"] for end in FIGURE_ENDS))


# --- reading a batch of articles --------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """A unique story due for extraction, with what dating its relative days needs."""

    article_id: str
    url: str
    source_id: str
    body: str
    published_at: datetime
    timezone: str = "UTC"


@dataclass
class ExtractedBatch:
    """What a batch of articles reported; a failed article is a reject, not a stop."""

    reports: list[Report] = field(default_factory=list)
    incidents_per_article: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # article ids whose extraction raised

    def by_article(self) -> list[ExtractedBatch]:
        """One batch per article read (the failed ones in one more), to store each on its own.

        Storing article by article is how one article whose rows the database refuses is set
        aside without losing the others.
        """
        failures = [ExtractedBatch(rejects=self.rejects, failed=self.failed)]
        return failures + [
            ExtractedBatch([r for r in self.reports if r.article_id == article_id],
                           {article_id: count})
            for article_id, count in self.incidents_per_article.items()
        ]  # fmt: skip

    def refused(self, reason: str, detail: str) -> ExtractedBatch:
        """The batch with every article it read turned into a failure with a reject.

        A failure keeps the article's earlier evidence, so a refusal loses nothing stored.
        """
        articles = dict.fromkeys((r.source_id, r.url) for r in self.reports)
        rejects = [Reject("incidents", reason, source, url, detail) for source, url in articles]
        return ExtractedBatch(
            rejects=[*self.rejects, *rejects], failed=[*self.failed, *self.incidents_per_article]
        )


def extract_reports(
    articles: Iterable[Article], reader: IncidentReader, extract: Extractor = extract_incidents
) -> ExtractedBatch:
    """Every article's reports, one per incident key.

    An article naming one event twice (two claimants, say) gives one report holding both, so
    the article counts once for that incident.
    """
    batch = ExtractedBatch()
    for article in articles:
        try:
            incidents = extract(
                article.body,
                article.published_at,
                reader=reader,
                timezone=article.timezone,
                source=article.source_id,
            )
        except Exception as exc:
            batch.rejects.append(
                Reject(
                    "incidents",
                    "extract_failed",
                    article.source_id,
                    article.url,
                    f"{type(exc).__name__}: {exc}",
                )
            )
            batch.failed.append(article.article_id)
            continue
        reports = [_report(article, incident) for incident in incidents]
        own = [replace(m.reports[0], incident=m.incident) for m in merge_all(reports)]
        batch.reports.extend(own)
        batch.incidents_per_article[article.article_id] = len(own)
    return batch


def _report(article: Article, incident: Incident) -> Report:
    """The incident as this article reports it, each sentence labelled with where it is from."""
    mentions = tuple(
        replace(m, article_id=article.article_id, url=article.url, source=article.source_id)
        for m in incident.mentions
    )
    return Report(
        replace(incident, mentions=mentions),
        article.article_id,
        article.source_id,
        article.url,
        article.published_at,
    )
