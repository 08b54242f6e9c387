"""Every fault at once: one real ingest over sites that each misbehave, beside one good site.

Each source is its own site on the fault server (``<source>.example``, which the test resolver
sends to 127.0.0.1, so to the fetcher it is a public host and 127.0.0.1 is an internal address).
The ingest runs twice, as a schedule would. The tests then check that both runs ended, that every
good page of every site was stored and loaded exactly once, that each fault left a reject whose
reason and detail say what went wrong, and that nothing reached an internal address or read a
local file. Short timeouts and a small size cap come from the environment, as an operator would
set them; no test measures time: a fault that held a run would hold it past every check.
"""

from __future__ import annotations

import functools
import random
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import pytest

from flows import steps
from flows.ingest import ingest
from tasks.fetching.fetch import Fetcher
from tests.faults import (
    FaultServer,
    Route,
    changing_etag,
    drip_body,
    drip_headers,
    endless_body,
    fault_server,
    gzip_bomb,
    loopback_resolver,
    once_then,
    redirect,
    reset_mid_body,
    respond,
)
from tests.flows.test_ingest import page, query, rss
from tests.tasks.pages import fast_settings, web_source

SIZE_CAP = 100_000
SETTINGS = {
    "NEWSDESK_TOTAL_TIMEOUT": "3",  # the drips are cut here; a good page needs milliseconds
    "NEWSDESK_MAX_RETRIES": "1",
    "NEWSDESK_BACKOFF_BASE": "0.01",
    "NEWSDESK_BACKOFF_MAX": "1",  # so Retry-After: 1 is honoured in full
    "NEWSDESK_MAX_RESPONSE_BYTES": str(SIZE_CAP),
}
SECRET = "TOP-SECRET-CONTENTS"
UKRAINIAN = (
    "Міський голова Харкова повідомив у понеділок, що міст через річку знову відкрито для руху "
    "після трьох місяців ремонту. Роботи коштували міському бюджету понад сорок мільйонів "
    "гривень, а підрядник завершив їх на два тижні раніше строку. Водії та мешканці "
    "навколишніх районів довго скаржилися на затори, які виникали щоранку на об'їзних "
    "дорогах. Наступного року місто планує відремонтувати ще два мости в центрі"
)
TRACKING_VARIANTS = 50
VOCABULARY = (
    "council river bridge market school harbour railway village valley province mayor police "
    "farmers traders doctors teachers workers drivers pilots sailors engineers officials "
    "flooded repaired opened closed inspected visited announced delayed approved rejected "
    "north south east west morning evening winter summer spring autumn weekly monthly "
    "grain cotton copper timber fuel water power bread salt medicine cement steel glass "
    "hospital station stadium library museum factory warehouse airport tunnel highway "
    "quietly slowly early late again twice briefly openly jointly partly"
)


def story(seed: int) -> str:
    """Sixty words drawn at random: no two stories here share a phrase, so none is a copy."""
    words = random.Random(seed).choices(VOCABULARY.split(), k=60)
    return ". ".join(" ".join(words[i : i + 12]).capitalize() for i in range(0, 60, 12))


def good_page(title: str, seed: int, **meta: str | None) -> Route:
    return respond(page(title, story(seed), **meta))


def feed(*urls: str) -> Route:
    """An RSS feed of absolute URLs, each dated 2020-10-04."""
    return respond(rss("", list(urls)), content_type="application/rss+xml")


class Expected(NamedTuple):
    """A reject a fault must leave: stage, reason, the URL (a path on the site, an absolute URL,
    or None for the source as a whole) and words its detail must contain."""

    stage: str
    reason: str
    url: str | None
    says: str


@dataclass
class Site:
    """One source on its own host ``<name>.example``: what it serves, which pages must load and
    which rejects it must leave. Its listing is an RSS feed of its good pages, then ``pages``."""

    name: str
    pages: dict[str, Route] = field(default_factory=dict)  # faulty or special pages by path
    rejects: tuple[Expected, ...] = ()
    good: tuple[str, ...] = ("/good",)  # a plain article is served unless ``pages`` has it
    listing: Route | None = None
    kind: str = "feed"
    listing_path: str = "/feed.xml"
    robots: str | None = None
    url: str | None = None  # where the source is configured; by default its listing

    @property
    def host(self) -> str:
        return f"{self.name}.example"

    def at(self, server: FaultServer, path: str | None) -> str | None:
        """The absolute URL of ``path`` on this site."""
        return urljoin(self.source_url(server), path) if path else None

    def source_url(self, server: FaultServer) -> str:
        return self.url or server.url(self.host, self.listing_path)


def fault_sites(server: FaultServer, secret: Path, closed_port: int) -> dict[str, Site]:
    """Every fault, one site each (related faults share one), and the good site ``wire``."""
    url = server.url
    bomb = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    sites = [
        Site("wire", good=("/a", "/b")),
        Site(
            "refused",
            url=f"http://127.0.0.1:{closed_port}/feed.xml",
            good=(),
            rejects=(Expected("fetch", "robots_unreachable", "/feed.xml", "Connection refused"),),
        ),
        Site(
            "reset",
            {"/cut": reset_mid_body(page("Cut short", story(1)))},
            (Expected("fetch", "connection_error", "/cut", "Connection broken"),),
        ),
        Site(
            "drip-headers",
            {"/drip": drip_headers(page("Dripped headers", story(2)))},
            (Expected("fetch", "too_slow", "/drip", "total_timeout"),),
        ),
        Site(
            "drip-body",
            {"/drip": drip_body(page("Dripped body", story(3)))},
            (Expected("fetch", "too_slow", "/drip", "incomplete at total_timeout"),),
        ),
        Site(
            "server-errors",
            {
                "/500": respond("oops", status=500),
                "/502": respond("bad gateway", status=502),
                "/503": respond("later", status=503, headers={"Retry-After": "1"}),
            },
            (
                Expected("fetch", "http_500", "/500", "HTTP 500 (attempts: 2)"),
                Expected("fetch", "http_502", "/502", "HTTP 502 (attempts: 2)"),
                Expected("fetch", "http_503", "/503", "HTTP 503 (attempts: 2)"),
            ),
        ),
        Site(
            "throttled",
            {
                # asked to wait once, then served: it loads, on the retry
                "/good": once_then(
                    respond("wait", status=429, headers={"Retry-After": "1"}),
                    good_page("Served after one Retry-After", 7),
                ),
                "/busy": respond("slow down", status=429, headers={"Retry-After": "1"}),
            },
            (Expected("fetch", "http_429", "/busy", "HTTP 429 (attempts: 2)"),),
        ),
        Site(
            "gone",
            {"/missing": respond("no", status=404), "/removed": respond("gone", status=410)},
            (
                Expected("fetch", "http_404", "/missing", "HTTP 404 (attempts: 1)"),
                Expected("fetch", "http_410", "/removed", "HTTP 410 (attempts: 1)"),
            ),
        ),
        Site(
            "loops",
            {"/loop-a": redirect("/loop-b"), "/loop-b": redirect("/loop-a")},
            (
                Expected("fetch", "redirect_loop", "/loop-a", "/loop-a was already visited"),
                Expected("fetch", "redirect_loop", "/loop-b", "/loop-b was already visited"),
            ),
        ),
        Site(
            "schemes",
            {
                "/to-script": redirect("javascript:alert(1)"),
                "/to-file": redirect("file:///etc/passwd"),
            },
            (
                Expected("fetch", "bad_redirect", "/to-script", "'javascript:alert(1)' refused"),
                Expected("fetch", "bad_redirect", "/to-file", "'file:///etc/passwd' refused"),
            ),
        ),
        Site(
            "internal",
            {
                "/to-loopback": redirect(url("127.0.0.1", "/secret")),
                "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
            },
            (
                Expected("fetch", "internal_address", "/to-loopback", "a loopback address"),
                Expected("fetch", "internal_address", "/to-metadata", "a link-local address"),
                Expected(
                    "fetch",
                    "internal_address",
                    url("localhost", "/secret"),
                    "localhost resolves to 127.0.0.1, a loopback address",
                ),
            ),
            listing=feed(
                url("internal.example", "/good"),
                url("internal.example", "/to-loopback"),
                url("internal.example", "/to-metadata"),
                url("localhost", "/secret"),
            ),
        ),
        Site(
            "oversized",
            {"/declared": respond(b" " * (SIZE_CAP + 1)), "/endless": endless_body()},
            (
                Expected("fetch", "too_large", "/declared", f"exceeds {SIZE_CAP} bytes"),
                Expected("fetch", "too_large", "/endless", f"body exceeds {SIZE_CAP} bytes"),
            ),
        ),
        Site(
            "gzip-bomb",
            {"/bomb": gzip_bomb(SIZE_CAP * 100)},
            (Expected("fetch", "too_large", "/bomb", f"body exceeds {SIZE_CAP} bytes"),),
        ),
        Site(
            "binary",
            {"/image": respond(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)},
            (Expected("clean", "binary", "/image", "PNG"),),
        ),
        Site(
            "charsets",
            {
                "/latin-label": respond(
                    page("Dnipró’s “bridge” reopened", story(4)).encode(),
                    content_type="text/html; charset=iso-8859-1",
                ),
                "/cp1251-labelled-utf8": respond(
                    page("Харків: міст відкрито", UKRAINIAN)
                    .replace("<head>", '<head><meta charset="utf-8">')
                    .encode("cp1251"),
                    content_type="text/html",
                ),
                "/utf16-meta": respond(
                    page("An ASCII page labelled UTF-16", story(6)).replace(
                        "<head>", '<head><meta charset="utf-16">'
                    ),
                    content_type="text/html",
                ),
            },
            good=("/latin-label", "/cp1251-labelled-utf8", "/utf16-meta"),
        ),
        Site(
            "not-xml",
            listing=respond('{"error": "feed moved"}', content_type="application/rss+xml"),
            good=(),
            rejects=(Expected("discover", "not_xml", "/feed.xml", "not well-formed XML"),),
        ),
        Site(
            "entity-bomb",
            listing=respond(
                f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e0 "lol">{bomb}]>'
                '<rss version="2.0"><channel><item><title>&e9;</title>'
                f"<link>{url('entity-bomb.example', '/good')}</link></item></channel></rss>",
                content_type="application/rss+xml",
            ),
            rejects=(
                Expected("discover", "unsafe_xml", "/feed.xml", "entity expansion refused: e0"),
            ),
        ),
        Site(
            "external-entity",
            listing=respond(
                f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY leak SYSTEM "file://{secret}">]>'
                '<rss version="2.0"><channel><item><title>&leak;</title>'
                f"<link>{url('external-entity.example', '/good')}</link>"
                "<pubDate>Sun, 04 Oct 2020 08:00:00 GMT</pubDate></item></channel></rss>",
                content_type="application/rss+xml",
            ),
            rejects=(
                Expected("discover", "unsafe_xml", "/feed.xml", "external entity refused: leak"),
            ),
        ),
        Site(
            "sitemap-loop",
            {
                "/news.xml": respond(
                    '<?xml version="1.0"?>'
                    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
                    f"<loc>{url('sitemap-loop.example', '/good')}</loc>"
                    "<lastmod>2020-10-04</lastmod></url></urlset>",
                    content_type="application/xml",
                )
            },
            listing=respond(
                '<?xml version="1.0"?>'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{url('sitemap-loop.example', '/sitemap.xml')}</loc></sitemap>"
                f"<sitemap><loc>{url('sitemap-loop.example', '/news.xml')}</loc></sitemap>"
                "</sitemapindex>",
                content_type="application/xml",
            ),
            kind="sitemap",
            listing_path="/sitemap.xml",
            rejects=(
                Expected(
                    "discover",
                    "sitemap_loop",
                    "/sitemap.xml",
                    f"lists {url('sitemap-loop.example', '/sitemap.xml')}, itself",
                ),
            ),
        ),
        Site(
            "no-text",
            {"/empty": respond("<html><body><nav><a href='/'>Home</a></nav></body></html>")},
            (Expected("clean", "too_short", "/empty", "1 words < 40"),),
        ),
        Site(
            "future",
            {"/good": good_page("Dated ahead", 8, published="2055-10-04T10:00:00+03:00")},
            (Expected("date", "date_in_future", "/good", "'2055-10-04T10:00:00+03:00' discarded"),),
        ),
        Site(
            "tracking",
            listing=feed(
                *(
                    url("tracking.example", f"/good?utm_source=s{n}&utm_medium=social")
                    for n in range(TRACKING_VARIANTS)
                )
            ),
            rejects=(
                Expected(
                    "discover",
                    "duplicate_links",
                    None,
                    f"{TRACKING_VARIANTS - 1} listed links were variants of articles already",
                ),
            ),
        ),
        Site(
            "crawl-delay",
            robots="User-agent: *\nCrawl-delay: 86400\n",
            good=(),
            rejects=(Expected("fetch", "crawl_delay_too_long", "/feed.xml", "86400 s"),),
        ),
        Site(
            "etag",
            listing=changing_etag(rss(url("etag.example", ""), ["/good"]), "application/rss+xml"),
        ),
    ]
    return {site.name: site for site in sites}


SITE_NAMES = (
    "wire", "refused", "reset", "drip-headers", "drip-body", "server-errors", "throttled", "gone",
    "loops", "schemes", "internal", "oversized", "gzip-bomb", "binary", "charsets", "not-xml",
    "entity-bomb", "external-entity", "sitemap-loop", "no-text", "future", "tracking",
    "crawl-delay", "etag",
)  # fmt: skip


def serve(server: FaultServer, site: Site, seed: int) -> None:
    """Put ``site`` on the server: robots.txt, listing, good pages, then its own pages."""
    if site.robots is not None:
        server.route(site.host, "/robots.txt", respond(site.robots, content_type="text/plain"))
    for number, path in enumerate(site.good):
        server.route(site.host, path, good_page(f"{site.name} {path}", seed * 10 + number))
    for path, answer in site.pages.items():
        server.route(site.host, path, answer)
    paths = dict.fromkeys([*site.good, *site.pages])
    listed = [server.url(site.host, path) for path in paths]
    server.route(site.host, site.listing_path, site.listing or feed(*listed))


def sources_yaml(folder: Path, server: FaultServer, sites: dict[str, Site]) -> Path:
    lines = [
        f"  - {{id: {site.name}, kind: {site.kind}, url: '{site.source_url(server)}', "
        "rate_per_second: 100}\n"
        for site in sites.values()
    ]
    path = folder / "sources.yaml"
    path.write_text("sources:\n" + "".join(lines), encoding="utf-8")
    return path


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port bound but not listening: every connection to it is refused, and no
    other process can start listening there while the test runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


class Runs(NamedTuple):
    first: dict
    second: dict
    db: Path
    server: FaultServer
    sites: dict[str, Site]


@pytest.fixture(scope="module")
def runs(tmp_path_factory, prefect_harness) -> Iterator[Runs]:
    """Two ingests of every fault site, with the Fetcher's resolver sending ``*.example`` home."""
    folder = tmp_path_factory.mktemp("faults")
    secret = folder / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    with fault_server() as server, closed_port() as port, pytest.MonkeyPatch.context() as patch:
        for name, value in SETTINGS.items():
            patch.setenv(name, value)
        patch.setattr(steps, "Fetcher", functools.partial(Fetcher, resolver=loopback_resolver))
        sites = fault_sites(server, secret, port)
        assert tuple(sites) == SITE_NAMES
        for seed, site in enumerate(sites.values()):
            serve(server, site, seed)
        params = {
            "sources_file": str(sources_yaml(folder, server, sites)),
            "db_path": str(folder / "news.duckdb"),
        }
        first = ingest(**params)
        second = ingest(**params)
        yield Runs(first, second, folder / "news.duckdb", server, sites)


def good_urls(runs: Runs) -> list[str]:
    return sorted(site.at(runs.server, p) for site in runs.sites.values() for p in site.good)


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
class TestOneIngestOverEveryFault:
    def test_both_runs_end_and_only_the_sites_whose_listing_failed_count_as_failed(self, runs):
        listing_failed = {"refused", "not-xml", "crawl-delay"}
        for counts in (runs.first, runs.second):
            assert counts["status"] == "partially_failed"
            assert set(counts["failed_sources"]) == listing_failed
        statuses = query(runs.db, "SELECT status FROM pipeline_runs WHERE flow = 'ingest'")
        assert statuses == [("partially_failed",), ("partially_failed",)]

    def test_no_fault_holds_a_fetch_until_the_server_gives_up(self, runs):
        assert runs.server.outlasted == []

    def test_every_good_page_of_every_site_is_loaded_exactly_once(self, runs):
        articles = query(runs.db, "SELECT canonical_url FROM articles ORDER BY 1")
        assert articles == [(url,) for url in good_urls(runs)]

    def test_every_good_page_is_requested_once_and_stored_once_over_both_runs(self, runs):
        tracked = runs.sites["tracking"].at(runs.server, "/good")
        good = [url for url in good_urls(runs) if url != tracked]  # listed only with utm_*
        asked = {url: runs.server.requests_to(*host_and_path(url)) for url in good}
        throttled = runs.sites["throttled"].at(runs.server, "/good")
        assert asked == {url: 2 if url == throttled else 1 for url in good}  # 429, then served
        stored = query(runs.db, "SELECT url, count(*) FROM raw_pages GROUP BY url")
        assert {url: n for url, n in stored if url in good} == dict.fromkeys(good, 1)

    @pytest.mark.parametrize("name", SITE_NAMES)
    def test_each_fault_leaves_a_reject_that_says_what_went_wrong(self, runs, name):
        site = runs.sites[name]
        rows = query(
            runs.db,
            "SELECT stage, reason, url, detail FROM rejects "
            f"WHERE source_id = '{name}' ORDER BY 1, 2, 3",
        )
        expected = {(e.stage, e.reason, site.at(runs.server, e.url)): e.says for e in site.rejects}
        assert [row[:3] for row in rows] == sorted(expected)
        for stage, reason, url, detail in rows:
            assert expected[(stage, reason, url)] in detail

    def test_nothing_reaches_an_internal_address_or_reads_a_local_file(self, runs):
        assert "/secret" not in {path for _, path in runs.server.log}
        leaks = query(
            runs.db,
            f"SELECT (SELECT count(*) FROM raw_pages WHERE listed_title LIKE '%{SECRET}%'), "
            f"(SELECT count(*) FROM articles WHERE title || body LIKE '%{SECRET}%'), "
            f"(SELECT count(*) FROM rejects WHERE detail LIKE '%{SECRET}%')",
        )
        assert leaks == [(0, 0, 0)]

    def test_pages_that_lie_about_their_charset_are_read_as_written(self, runs):
        titles = query(
            runs.db, "SELECT title FROM articles WHERE source_id = 'charsets' ORDER BY url"
        )
        assert titles == [
            ("Харків: міст відкрито",),  # windows-1251 bytes under <meta charset="utf-8">
            ("Dnipró’s “bridge” reopened",),  # UTF-8 bytes under charset=iso-8859-1
            ("An ASCII page labelled UTF-16",),  # <meta charset="utf-16"> over ASCII
        ]

    def test_a_page_dated_30_years_ahead_loads_on_its_feed_date_and_says_so(self, runs):
        rows = query(
            runs.db,
            "SELECT published_at_source, published_is_fallback, strftime(published_at, '%Y') "
            "FROM articles WHERE source_id = 'future'",
        )
        assert rows == [("listed", True, "2020")]

    def test_a_rerun_fetches_no_article_again_though_the_feed_etag_changes_every_time(self, runs):
        etag = runs.sites["etag"]
        assert runs.server.requests_to(etag.host, "/feed.xml") == 2  # never a 304
        assert runs.second["pages_fetched"] == runs.second["articles_loaded"] == 0

    def test_an_article_under_50_tracking_urls_is_requested_once_over_both_runs(self, runs):
        asked = [path for host, path in runs.server.log if host == "tracking.example"]
        assert [path for path in asked if path.startswith("/good")] == [
            "/good?utm_source=s0&utm_medium=social"
        ]

    def test_a_sitemap_index_that_lists_itself_is_read_once_per_run(self, runs):
        assert runs.server.requests_to("sitemap-loop.example", "/sitemap.xml") == 2

    def test_a_crawl_delay_of_a_day_costs_one_robots_request_per_run_and_no_page(self, runs):
        asked = [path for host, path in runs.server.log if host == "crawl-delay.example"]
        assert asked == ["/robots.txt", "/robots.txt"]


def host_and_path(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.path


def fetch_once(tmp_path: Path, route: Route, **settings: float) -> tuple[object, FaultServer]:
    """One fetch of ``route`` by a Fetcher with ``settings``; its outcome and the server."""
    with fault_server() as server:
        server.route("slow.example", "/page", route)
        source = web_source("feed", server.url("slow.example", "/feed.xml"))
        fetcher = Fetcher(fast_settings(**settings), state_dir=tmp_path, resolver=loopback_resolver)
        with fetcher:
            return fetcher.fetch(server.url("slow.example", "/page"), source), server


def test_a_server_that_drips_its_headers_is_cut_off_at_the_total_timeout(tmp_path):
    outcome, server = fetch_once(tmp_path, drip_headers(page("Late", story(9))), total_timeout=0.5)
    assert server.outlasted == []  # the fetcher hung up; the server did not give up first
    assert (outcome.reject.reason, outcome.page) == ("too_slow", None)
    assert "no complete headers within total_timeout (0.5 s)" in outcome.reject.detail
