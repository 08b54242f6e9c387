"""One source end to end: find its article links, fetch the new ones, account for everything.

A re-run that finds nothing new should cost almost nothing: listings are fetched with the
validators remembered from last time (a 304 carries no body) and articles whose URL is already
known are never requested again. Nothing a single page does stops the rest: every failure becomes
a ``Reject`` next to the pages that did arrive.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from config.sources import Source
from tasks.archive import read_archive
from tasks.discover import Listing, parse_listing
from tasks.fetch import Fetcher, FetchOutcome, Validators
from tasks.records import FetchRecord, Link, RawPage, Reject

# Sitemap indexes nest (index -> yearly index -> daily sitemap); deeper is a loop or a trap.
MAX_SITEMAP_DEPTH = 3
# Listing documents read per source and run; newest child sitemaps are read first.
MAX_LISTINGS_PER_RUN = 100


@dataclass
class Harvest:
    """What one source gave in one run."""

    source_id: str
    pages: list[RawPage] = field(default_factory=list)
    fetches: list[FetchRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    links_found: int = 0  # distinct article URLs listed, known or not
    not_modified: int = 0  # 304 answers
    validators: dict[str, Validators] = field(default_factory=dict)  # per listing URL

    def add_fetch(self, outcome: FetchOutcome) -> None:
        self.fetches.extend(outcome.robots_fetches)
        self.fetches.append(outcome.record)
        self.not_modified += outcome.not_modified
        if outcome.reject is not None:
            self.rejects.append(outcome.reject)


def harvest_source(
    source: Source,
    fetcher: Fetcher,
    *,
    known_urls: set[str],
    validators: Mapping[str, tuple[str | None, str | None]],
) -> Harvest:
    """Discover, then fetch up to ``source.max_articles`` article URLs not in ``known_urls``."""
    if source.kind == "archive":
        return _harvest_archive(source, known_urls)
    harvest = Harvest(source.id)
    links = _discover(source, fetcher, harvest, known_urls, validators)
    harvest.links_found = len(links)
    wanted = [link for link in links if link.url not in known_urls][: source.max_articles]
    for outcome in _fetch_all(source, fetcher, wanted):
        harvest.add_fetch(outcome)
        if outcome.page is not None:
            harvest.pages.append(outcome.page)
    return harvest


def _discover(
    source: Source,
    fetcher: Fetcher,
    harvest: Harvest,
    known_urls: set[str],
    validators: Mapping[str, tuple[str | None, str | None]],
) -> list[Link]:
    """Article links from the source's listing and, for sitemaps, its children, deduplicated.

    Reading stops early once ``max_articles`` new links are in hand, so a large sitemap index
    does not cost a request per month of the site's history on every run.
    """
    found: dict[str, Link] = {}
    queue: list[tuple[str, int]] = [(str(source.url), 0)]
    visited: set[str] = set()
    while queue and not _enough(source, found, known_urls):
        url, depth = queue.pop(0)
        if url in visited:
            continue
        if len(visited) == MAX_LISTINGS_PER_RUN:
            detail = f"stopped after {MAX_LISTINGS_PER_RUN} listing documents"
            harvest.rejects.append(Reject("discover", "too_many_sitemaps", source.id, url, detail))
            break
        visited.add(url)
        listing = _read_listing(source, fetcher, url, validators.get(url), harvest)
        for link in listing.links:
            found.setdefault(link.url, link)
        queue.extend(_children_to_read(source, url, depth, listing, harvest))
    return list(found.values())


def _read_listing(
    source: Source,
    fetcher: Fetcher,
    url: str,
    remembered: tuple[str | None, str | None] | None,
    harvest: Harvest,
) -> Listing:
    """Fetch and parse one listing document; a 304 or a failure lists nothing."""
    outcome = fetcher.fetch(url, source, validators=Validators(*remembered) if remembered else None)
    harvest.add_fetch(outcome)
    if outcome.validators is not None and any(outcome.validators):
        harvest.validators[url] = outcome.validators
    if outcome.page is None:
        return Listing()
    listing = parse_listing(source, outcome.page.body, outcome.page.url)
    harvest.rejects.extend(listing.rejects)
    return listing


def _children_to_read(
    source: Source, url: str, depth: int, listing: Listing, harvest: Harvest
) -> list[tuple[str, int]]:
    """Child sitemaps, newest <lastmod> first, unless the index is nested too deep."""
    if not listing.sitemaps:
        return []
    if depth >= MAX_SITEMAP_DEPTH:
        detail = f"index nested deeper than {MAX_SITEMAP_DEPTH}; children not read"
        harvest.rejects.append(Reject("discover", "sitemap_too_deep", source.id, url, detail))
        return []
    newest_first = sorted(
        listing.sitemaps, key=lambda c: (c.listed_date is not None, c.listed_date), reverse=True
    )
    return [(child.url, depth + 1) for child in newest_first]


def _enough(source: Source, found: dict[str, Link], known_urls: set[str]) -> bool:
    if source.max_articles is None:
        return False
    return sum(url not in known_urls for url in found) >= source.max_articles


def _fetch_all(source: Source, fetcher: Fetcher, links: list[Link]) -> list[FetchOutcome]:
    """Articles fetched in parallel up to the source's concurrency; the host limiter paces them."""
    with ThreadPoolExecutor(max_workers=source.concurrency) as pool:
        return list(pool.map(lambda link: _fetch_article(source, fetcher, link), links))


def _fetch_article(source: Source, fetcher: Fetcher, link: Link) -> FetchOutcome:
    """Fetch one article; even a bug in fetching becomes that article's reject, not a crash."""
    started = datetime.now(UTC)
    try:
        return fetcher.fetch(link.url, source, link=link)
    except Exception as exc:  # one bad article must never stop the rest
        record = FetchRecord(link.url, source.id, None, 0, 0.0, started, "internal_error", 0)
        detail = f"{type(exc).__name__}: {exc}"[:300]
        return FetchOutcome(
            record, reject=Reject("fetch", "internal_error", source.id, link.url, detail)
        )


def _harvest_archive(source: Source, known_urls: set[str]) -> Harvest:
    """Saved pages as the same Harvest shape; no requests, so no fetch records."""
    harvest = Harvest(source.id)
    seen: set[str] = set()
    for item in read_archive(source.path, source.id) if source.path else ():
        if isinstance(item, Reject):
            harvest.rejects.append(item)
        elif item.url not in seen:
            seen.add(item.url)
            if item.url not in known_urls:
                harvest.pages.append(item)
        if source.max_articles is not None and len(harvest.pages) >= source.max_articles:
            break
    harvest.links_found = len(seen)
    return harvest
