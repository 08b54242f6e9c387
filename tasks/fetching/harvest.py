"""One source end to end: find its article links, fetch the new ones, account for everything.

A re-run that finds nothing new should cost almost nothing: listings are fetched with the
validators remembered from last time (a 304 carries no body) and articles whose URL is already
known, to this source or any other, are never requested again. Nothing a single page does stops
the rest: every failure becomes a ``Reject`` next to the pages that did arrive. A source that runs
out of its time budget keeps what arrived; what is left is read again next run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from config.sources import Source
from tasks.dedupe.urls import UrlRules, canonical_url
from tasks.fetching.archive import read_archive
from tasks.fetching.discover import Listing, parse_listing
from tasks.fetching.fetch import TIME_BUDGET, Fetcher, FetchOutcome, Validators
from tasks.fetching.known_urls import KnownUrls
from tasks.fetching.spool import PageSpool
from tasks.records import FetchRecord, Link, Reject

# Sitemap indexes nest (index -> yearly index -> daily sitemap); deeper is a loop or a trap.
MAX_SITEMAP_DEPTH = 3
# Listing documents read per source and run; newest child sitemaps are read first.
MAX_LISTINGS_PER_RUN = 100
# Fetch failures that will be the same next run; anything else (timeouts, 5xx, 429, robots.txt
# unreachable) may pass, so the listing that named the article must be read again.
FINAL_FETCH_REASONS = frozenset(
    {"robots_disallowed", "bad_scheme", "too_large", "bad_redirect", "redirect_loop",
     "too_many_redirects", "bad_encoding", "bad_request"}
)  # fmt: skip
RETRIED_CLIENT_ERRORS = frozenset({"http_408", "http_429"})


@dataclass
class Harvest:
    """What one source gave in one run."""

    source_id: str
    pages: PageSpool = field(default_factory=PageSpool)  # on disk until stored
    fetches: list[FetchRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)  # distinct article URLs listed, known or not
    not_modified: int = 0  # 304 answers
    left_over: int = 0  # URLs not requested because the time budget ran out
    validators: dict[str, Validators] = field(default_factory=dict)  # per listing URL

    @property
    def links_found(self) -> int:
        return len(self.listed)

    def add_fetch(self, outcome: FetchOutcome) -> None:
        self.fetches.extend(outcome.robots_fetches)
        if outcome.left_over:
            self.left_over += 1
            return
        self.fetches.append(outcome.record)
        self.not_modified += outcome.not_modified
        if outcome.reject is not None:
            self.rejects.append(outcome.reject)


def harvest_source(
    source: Source,
    fetcher: Fetcher,
    *,
    known_urls: KnownUrls,
    validators: Mapping[str, tuple[str | None, str | None]],
) -> Harvest:
    """Discover, then fetch up to ``source.max_articles`` article URLs not in ``known_urls``.

    A listing's validators are kept only if every new link it gave was fetched, finally
    refused or taken by another source: next run it would answer 304 and list nothing, so any
    link left over (cut by ``max_articles`` or the time budget, timed out, 5xx) would never be
    fetched.
    """
    rules = fetcher.url_rules()
    if source.kind == "archive":
        return _harvest_archive(source, known_urls, rules)
    harvest = Harvest(source.id)
    discovery = _discover(source, fetcher, harvest, known_urls, validators, rules)
    harvest.listed = [link.url for link in discovery.links.values()]
    if discovery.variants:
        harvest.rejects.append(_variants_not_requested(source, discovery.variants))
    new = [
        link for link in discovery.links.values() if not known_urls.known_to(link.url, source.id)
    ]
    wanted = new[: source.max_articles]
    settled: set[str] = set()
    for link, outcome in zip(wanted, _fetch_all(source, fetcher, known_urls, wanted), strict=True):
        if outcome is None:  # another source claimed it first and fetches it
            settled.add(link.url)
            continue
        harvest.add_fetch(outcome)
        if outcome.page is not None:
            harvest.pages.append(outcome.page)
        if outcome.page is not None or _finally_refused(outcome.reject):
            settled.add(link.url)
    unsettled = ({link.url for link in new} - settled) | discovery.unread_listings()
    _forget_validators(harvest, discovery.listings_behind(unsettled), validators)
    if harvest.left_over:
        harvest.rejects.append(_out_of_time(source, fetcher, harvest.left_over))
    return harvest


def _out_of_time(source: Source, fetcher: Fetcher, left_over: int) -> Reject:
    """One reject per source and run, not one per URL: the URLs themselves are not at fault."""
    budget = fetcher.time_budget
    detail = f"time budget of {budget:g} s ran out; {left_over} URLs left for the next run"
    return Reject("fetch", TIME_BUDGET, source.id, None, detail)


def _variants_not_requested(source: Source, variants: Mapping[str, str]) -> Reject:
    """One reject per source and run saying how many listed URLs were another's variant."""
    dropped, kept = next(iter(variants.items()))
    detail = (
        f"{len(variants)} listed links were variants of articles already listed (tracking "
        f"parameters, mirror host or AMP form) and were not requested; e.g. {dropped} is {kept}"
    )
    return Reject("discover", "duplicate_links", source.id, None, detail)


@dataclass
class _Discovery:
    """The links found, and which listing named each link and child sitemap.

    Links are collapsed by canonical URL as they are found, so an article listed under fifty
    tracking URLs is requested once and counts once against ``max_articles``.
    """

    rules: UrlRules
    links: dict[str, Link] = field(default_factory=dict)  # by canonical URL, the first listed
    variants: dict[str, str] = field(default_factory=dict)  # URL not requested -> the one kept
    named_by: dict[str, set[str]] = field(default_factory=dict)
    children: set[str] = field(default_factory=set)
    settled: set[str] = field(default_factory=set)  # listings read, 304 or finally refused

    def add(self, listing_url: str, listing: Listing) -> None:
        for link in listing.links:
            kept = self.links.setdefault(canonical_url(link.url, rules=self.rules), link)
            if kept.url != link.url:
                self.variants.setdefault(link.url, kept.url)
            self.named_by.setdefault(kept.url, set()).add(listing_url)
        for child in listing.sitemaps:
            self.children.add(child.url)
            self.named_by.setdefault(child.url, set()).add(listing_url)

    def unread_listings(self) -> set[str]:
        """Child sitemaps named but not read (stopped early, too deep, failed for now)."""
        return self.children - self.settled

    def listings_behind(self, urls: set[str]) -> set[str]:
        """The listings that named these URLs, and the indexes that named those."""
        found: set[str] = set()
        frontier = list(urls)
        while frontier:
            for listing_url in self.named_by.get(frontier.pop(), ()):
                if listing_url not in found:
                    found.add(listing_url)
                    frontier.append(listing_url)
        return found


def _discover(
    source: Source,
    fetcher: Fetcher,
    harvest: Harvest,
    known_urls: KnownUrls,
    validators: Mapping[str, tuple[str | None, str | None]],
    rules: UrlRules,
) -> _Discovery:
    """Article links from the source's listing and, for sitemaps, its children, deduplicated.

    Reading stops early once ``max_articles`` new links are in hand, so a large sitemap index
    does not cost a request per month of the site's history on every run.
    """
    discovery = _Discovery(rules)
    queue: list[tuple[str, tuple[str, ...]]] = [(str(source.url), ())]  # with the indexes above
    visited: set[str] = set()
    while queue and not _enough(source, discovery.links, known_urls):
        url, above = queue.pop(0)
        if url in visited:
            continue
        if len(visited) == MAX_LISTINGS_PER_RUN:
            detail = f"stopped after {MAX_LISTINGS_PER_RUN} listing documents"
            harvest.rejects.append(Reject("discover", "too_many_sitemaps", source.id, url, detail))
            break
        visited.add(url)
        listing = _read_listing(source, fetcher, url, validators.get(url), harvest, discovery)
        discovery.add(url, listing)
        queue.extend(_children_to_read(source, url, above, listing, harvest))
    return discovery


def _read_listing(
    source: Source,
    fetcher: Fetcher,
    url: str,
    remembered: tuple[str | None, str | None] | None,
    harvest: Harvest,
    discovery: _Discovery,
) -> Listing:
    """Fetch and parse one listing document; a 304 or a failure lists nothing."""
    outcome = fetcher.fetch(url, source, validators=Validators(*remembered) if remembered else None)
    harvest.add_fetch(outcome)
    if outcome.validators is not None and any(outcome.validators):
        harvest.validators[url] = outcome.validators
    if outcome.page is not None or outcome.not_modified or _finally_refused(outcome.reject):
        discovery.settled.add(url)
    if outcome.page is None:
        return Listing()
    listing = parse_listing(source, outcome.page.body, outcome.page.url)
    harvest.rejects.extend(listing.rejects)
    return listing


def _finally_refused(reject: Reject | None) -> bool:
    """A refusal the next try would get too (4xx, robots); timeouts and 5xx may pass later."""
    if reject is None:
        return False
    if reject.reason.startswith("http_4"):
        return reject.reason not in RETRIED_CLIENT_ERRORS
    return reject.reason in FINAL_FETCH_REASONS


def _forget_validators(
    harvest: Harvest,
    listings: set[str],
    remembered: Mapping[str, tuple[str | None, str | None]],
) -> None:
    """Blank the validators of listings with links left over, so next run reads them in full."""
    for url in listings:
        if url in harvest.validators or url in remembered:
            harvest.validators[url] = Validators(None, None)


def _children_to_read(
    source: Source, url: str, above: tuple[str, ...], listing: Listing, harvest: Harvest
) -> list[tuple[str, tuple[str, ...]]]:
    """Child sitemaps, newest <lastmod> first, unless the index is nested too deep.

    A child that is this index or one above it is a loop: read once, and said so, since a site
    whose index points back at itself has a broken sitemap generator someone should hear about.
    """
    path = (*above, url)
    harvest.rejects.extend(_loop(source, c.url, path) for c in listing.sitemaps if c.url in path)
    children = [child for child in listing.sitemaps if child.url not in path]
    if not children:
        return []
    if len(above) >= MAX_SITEMAP_DEPTH:
        detail = f"index nested deeper than {MAX_SITEMAP_DEPTH}; children not read"
        harvest.rejects.append(Reject("discover", "sitemap_too_deep", source.id, url, detail))
        return []
    newest_first = sorted(
        children, key=lambda c: (c.listed_date is not None, c.listed_date), reverse=True
    )
    return [(child.url, path) for child in newest_first]


def _loop(source: Source, child: str, path: tuple[str, ...]) -> Reject:
    """The reject for an index (last on ``path``, from the root) listing ``child`` on ``path``."""
    which = "itself" if child == path[-1] else "an index read on the way here"
    detail = f"lists {child}, {which}; not read again"
    return Reject("discover", "sitemap_loop", source.id, path[-1], detail)


def _enough(source: Source, found: Mapping[str, Link], known_urls: KnownUrls) -> bool:
    if source.max_articles is None:
        return False
    new = sum(not known_urls.known_to(link.url, source.id) for link in found.values())
    return new >= source.max_articles


def _fetch_all(
    source: Source, fetcher: Fetcher, known_urls: KnownUrls, links: list[Link]
) -> Iterator[FetchOutcome | None]:
    """Articles fetched in parallel up to the source's concurrency; the host limiter paces them.

    In the order of ``links``, each as soon as it and those before it are in, so pages go to the
    spool as they arrive. None for a link another source claimed first.
    """
    with ThreadPoolExecutor(max_workers=source.concurrency) as pool:
        yield from pool.map(lambda link: _fetch_article(source, fetcher, known_urls, link), links)


def _fetch_article(
    source: Source, fetcher: Fetcher, known_urls: KnownUrls, link: Link
) -> FetchOutcome | None:
    """Fetch one article unless another source claimed it; even a bug in fetching becomes
    that article's reject, not a crash."""
    if not known_urls.claim(link.url, source.id):
        return None
    started = datetime.now(UTC)
    try:
        return fetcher.fetch(link.url, source, link=link)
    except Exception as exc:  # one bad article must never stop the rest
        record = FetchRecord(link.url, source.id, None, 0, 0.0, started, "internal_error", 0)
        detail = f"{type(exc).__name__}: {exc}"[:300]
        return FetchOutcome(
            record, reject=Reject("fetch", "internal_error", source.id, link.url, detail)
        )


def _harvest_archive(source: Source, known_urls: KnownUrls, rules: UrlRules) -> Harvest:
    """Saved pages as the same Harvest shape; no requests, so no fetch records."""
    harvest = Harvest(source.id)
    seen: dict[str, None] = {}
    for item in read_archive(source.path, source.id, rules) if source.path else ():
        if isinstance(item, Reject):
            harvest.rejects.append(item)
        elif item.url not in seen:
            seen[item.url] = None
            if known_urls.claim(item.url, source.id):
                harvest.pages.append(item)
        if source.max_articles is not None and len(harvest.pages) >= source.max_articles:
            break
    harvest.listed = list(seen)
    return harvest
