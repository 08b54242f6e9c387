"""From stored raw pages to article records: clean, canonicalise, date, fingerprint.

One call handles a batch of pages in one process so the orchestration overhead stays per batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from config.settings import Settings
from config.sources import Source
from tasks.dedupe.copies import figures
from tasks.dedupe.minhash import Fingerprint, fingerprints
from tasks.dedupe.urls import UrlRules, article_id, canonical_url
from tasks.records import CleanPage, DateSignal, PublishedDate, RawPage, Reject
from tasks.run_counts import StageClock
from tasks.text.clean import clean_page
from tasks.text.pubdate import choose_published, offset_minutes


@dataclass(frozen=True)
class ArticleRecord:
    """One cleaned, dated article ready to load (one row of ``articles``)."""

    article_id: str
    canonical_url: str
    url: str
    source_id: str
    title: str | None
    body: str
    byline: str | None
    language: str | None
    published_at: datetime
    published_at_source: str
    published_at_raw: str | None
    published_is_fallback: bool
    published_tz_offset: int | None  # minutes east of UTC the page's clock runs; None unknown
    published_local_date: date  # the publication day as the page shows it
    word_count: int
    content_hash: str
    signature: bytes
    figures: tuple[str, ...]


@dataclass
class ProcessedBatch:
    articles: list[ArticleRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    outside_window: int = 0
    page_urls: list[str] = field(default_factory=list)
    # Rejects of a part of a page that still loaded (a discarded date): recorded to explain the
    # article, never a reason to retire it as ``rejects`` are.
    flagged: list[Reject] = field(default_factory=list)
    # Seconds this batch spent cleaning, dating and fingerprinting, wherever it ran.
    clock: StageClock = field(default_factory=StageClock, compare=False)


@dataclass(frozen=True)
class Window:
    """Inclusive publication-day bounds of a run; None means open."""

    since: date | None = None
    until: date | None = None

    @classmethod
    def checked(cls, since: date | None, until: date | None) -> Window:
        """Refuse an empty range up front, naming both values."""
        if since and until and since > until:
            raise ValueError(f"since ({since}) is after until ({until}): the range is empty")
        return cls(since, until)

    def __contains__(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )


def process_pages(
    pages: Sequence[RawPage],
    sources: Mapping[str, Source],
    settings: Settings,
    *,
    now: datetime,
    window: Window = Window(),
) -> ProcessedBatch:
    """Clean and date every page; each failure becomes a reject and the rest go on.

    Pages published outside ``window`` are left out of ``page_urls`` so they stay due: a later
    run with another window (or none) still loads them.
    """
    batch, drafts = ProcessedBatch(), []
    for page in pages:
        flagged: Reject | None = None
        try:
            outcome, flagged = _process_page(
                page, sources.get(page.source_id), settings, now, batch.clock
            )
        except Exception as exc:  # a parser bug on one page must not stall every later run
            outcome = Reject("clean", "internal_error", page.source_id, page.url, repr(exc)[:500])
        if isinstance(outcome, Reject):
            batch.rejects.append(outcome)
        elif outcome.dated.published_at.date() not in window:
            batch.outside_window += 1
            continue
        else:
            drafts.append(outcome)
            batch.flagged.extend([flagged] if flagged else [])
        batch.page_urls.append(page.url)
    with batch.clock.timed("dedupe"):  # content hashes and MinHash signatures, batch-wide
        prints = fingerprints([d.cleaned.body for d in drafts], settings.minhash_permutations)
    rules = UrlRules.load(settings.url_rules_file)  # a small file, read once a batch
    batch.articles = [_article(d, p, rules) for d, p in zip(drafts, prints, strict=True)]
    return batch


def _process_page(
    page: RawPage, source: Source | None, settings: Settings, now: datetime, clock: StageClock
) -> tuple[_Draft | Reject, Reject | None]:
    """The page's article (before fingerprinting) or reject, and a flag when its own date was
    discarded."""
    with clock.timed("clean"):
        cleaned = clean_page(
            page,
            body_selector=source.body_selector if source else None,
            language_hint=source.language if source else None,
            min_words=settings.min_body_words,
        )
    if isinstance(cleaned, Reject):
        return cleaned, None
    with clock.timed("date"):
        dated = choose_published(
            _with_fallbacks(cleaned.date_signals, page),
            tz_hint=source.timezone if source else "UTC",
            fetched_at=page.fetched_at,
            earliest=date.fromisoformat(settings.earliest_date),
            now=now,
        )
    if isinstance(dated, Reject):
        return _attributed(dated, page), None
    return _Draft(page, cleaned, dated), _discarded_date(dated, page)


def _with_fallbacks(signals: Sequence[DateSignal], page: RawPage) -> tuple[DateSignal, ...]:
    """The page's own signals, then the feed's date, then the fetch time."""
    extra = [DateSignal("listed", page.listed_date)] if page.listed_date else []
    extra.append(DateSignal("fetch", page.fetched_at.isoformat()))
    return (*signals, *extra)


def _discarded_date(dated: PublishedDate, page: RawPage) -> Reject | None:
    """A fallback date taken because the page's own dates were implausible, as a reject row."""
    if not (dated.is_fallback and dated.discarded):
        return None
    shown = "; ".join(f"{s.kind} date {s.raw!r} discarded: {why}" for s, why in dated.discarded)
    detail = f"{shown}; published_at is the {dated.source} date {dated.raw!r}"
    return Reject("date", dated.discarded[0][1], page.source_id, page.url, detail[:500])


def _attributed(reject: Reject, page: RawPage) -> Reject:
    return Reject(reject.stage, reject.reason, page.source_id, page.url, reject.detail)


class _Draft(NamedTuple):
    """A cleaned and dated page; the batch is fingerprinted at once (vectorised hashing)."""

    page: RawPage
    cleaned: CleanPage
    dated: PublishedDate


def _article(draft: _Draft, fingerprint: Fingerprint, rules: UrlRules) -> ArticleRecord:
    page, cleaned, dated = draft
    canonical = canonical_url(page.url, cleaned.canonical_url, rules=rules)
    return ArticleRecord(
        article_id=article_id(canonical),
        canonical_url=canonical,
        url=page.url,
        source_id=page.source_id,
        title=cleaned.title or page.listed_title,
        body=cleaned.body,
        byline=cleaned.byline,
        language=cleaned.language,
        published_at=dated.published_at,
        published_at_source=dated.source,
        published_at_raw=dated.raw,
        published_is_fallback=dated.is_fallback,
        published_tz_offset=offset_minutes(dated.utc_offset),
        published_local_date=dated.local_date,
        word_count=len(cleaned.body.split()),
        content_hash=fingerprint.content_hash,
        signature=fingerprint.signature,
        figures=tuple(sorted(figures(cleaned.body))),
    )
