import threading

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from config.sources import Source
from tasks.fetching.harvest import MAX_SITEMAP_DEPTH, Harvest, harvest_source
from tasks.fetching.known_urls import KnownUrls
from tests.tasks.pages import (
    article,
    fast_settings,
    gzipped,
    make_fetcher,
    reset_server,
    rss,
    sitemap_index,
    urlset,
    web_source,
)
from tests.waiting import wait_until

DATE = "Sun, 04 Oct 2020 09:00:00 GMT"


def requested_paths(web: HTTPServer) -> list[str]:
    return [request.path for request, _ in web.log]


def serve_articles(web: HTTPServer, *paths: str) -> None:
    for path in paths:
        web.expect_request(path).respond_with_data(article(path), content_type="text/html")


def serve_with_etag(web: HTTPServer, path: str, body: bytes, etag: str) -> None:
    """A listing that answers 304 when the client already holds ``etag``."""

    def listing(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, headers={"ETag": etag}, content_type="application/xml")

    web.expect_request(path).respond_with_handler(listing)


def serve_feed_with_etag(web: HTTPServer, body: bytes, etag: str) -> None:
    serve_with_etag(web, "/feed", body, etag)


def next_run(web: HTTPServer, tmp_path, source: Source, first: Harvest, serve) -> Harvest:
    """The same source harvested again with what the first run stored, against ``serve``d pages."""
    reset_server(web)
    serve()
    known = {page.url for page in first.pages}
    return harvest_source(
        source, make_fetcher(tmp_path), known_urls=KnownUrls(known), validators=first.validators
    )


def test_feed_source_fetches_each_listed_article_once(web, tmp_path):
    items = [(web.url_for(p), p, DATE) for p in ("/a", "/b", "/a")]
    serve_feed_with_etag(web, rss(*items), '"f1"')
    serve_articles(web, "/a", "/b")
    source = web_source("feed", web.url_for("/feed"))
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert sorted(page.url for page in harvest.pages) == [web.url_for("/a"), web.url_for("/b")]
    assert all(page.listed_date == DATE for page in harvest.pages)
    assert harvest.links_found == 2
    assert harvest.rejects == []
    assert sorted(record.url.rsplit("/", 1)[1] for record in harvest.fetches) == [
        "a",
        "b",
        "feed",
        "robots.txt",
    ]
    assert harvest.validators == {web.url_for("/feed"): ('"f1"', None)}


def test_rerun_with_nothing_new_transfers_almost_nothing(web, tmp_path):
    serve_feed_with_etag(web, rss(*[(web.url_for(p), p, DATE) for p in ("/a", "/b")]), '"f1"')
    serve_articles(web, "/a", "/b")
    source = web_source("feed", web.url_for("/feed"))
    first = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    reset_server(web)
    serve_feed_with_etag(web, rss(*[(web.url_for(p), p, DATE) for p in ("/a", "/b")]), '"f1"')
    known = {page.url for page in first.pages}
    again = harvest_source(
        source, make_fetcher(tmp_path), known_urls=KnownUrls(known), validators=first.validators
    )
    assert len(again.pages) == 0 and again.rejects == []
    assert again.not_modified == 1
    assert requested_paths(web) == ["/robots.txt", "/feed"]
    assert sum(record.bytes for record in again.fetches if record.url.endswith("/feed")) == 0


def test_changed_feed_with_only_known_articles_fetches_no_article(web, tmp_path):
    web.expect_request("/feed").respond_with_data(rss((web.url_for("/a"), "A", DATE)))
    source = web_source("feed", web.url_for("/feed"))
    harvest = harvest_source(
        source, make_fetcher(tmp_path), known_urls=KnownUrls({web.url_for("/a")}), validators={}
    )
    assert harvest.links_found == 1 and len(harvest.pages) == 0
    assert "/a" not in requested_paths(web)


def test_one_failing_article_never_stops_the_others(web, tmp_path):
    items = [(web.url_for(p), p, DATE) for p in ("/gone", "/fine", "/broken")]
    web.expect_request("/feed").respond_with_data(rss(*items))
    web.expect_request("/broken").respond_with_data("", status=500)
    serve_articles(web, "/fine")
    source = web_source("feed", web.url_for("/feed"))
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert [page.url for page in harvest.pages] == [web.url_for("/fine")]
    assert sorted((r.reason, r.url) for r in harvest.rejects) == [
        ("http_404", web.url_for("/gone")),
        ("http_500", web.url_for("/broken")),
    ]


def test_max_articles_caps_the_new_links_fetched(web, tmp_path):
    items = [(web.url_for(p), p, DATE) for p in ("/a", "/b", "/c", "/d")]
    web.expect_request("/feed").respond_with_data(rss(*items))
    serve_articles(web, "/a", "/b", "/c", "/d")
    source = web_source("feed", web.url_for("/feed"), max_articles=2)
    harvest = harvest_source(
        source, make_fetcher(tmp_path), known_urls=KnownUrls({web.url_for("/a")}), validators={}
    )
    assert [page.url for page in harvest.pages] == [web.url_for("/b"), web.url_for("/c")]
    assert harvest.links_found == 4


def test_links_cut_by_max_articles_keep_the_feed_unvalidated_so_the_next_run_gets_them(
    web, tmp_path
):
    feed = rss(*[(web.url_for(p), p, DATE) for p in ("/a", "/b", "/c")])

    def serve() -> None:
        serve_feed_with_etag(web, feed, '"f1"')
        serve_articles(web, "/a", "/b", "/c")

    serve()
    source = web_source("feed", web.url_for("/feed"), max_articles=2)
    first = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert first.validators == {web.url_for("/feed"): (None, None)}
    again = next_run(web, tmp_path, source, first, serve)
    assert [page.url for page in again.pages] == [web.url_for("/c")]
    assert again.validators == {web.url_for("/feed"): ('"f1"', None)}


def test_an_article_that_failed_with_5xx_keeps_the_feed_unvalidated_until_it_arrives(web, tmp_path):
    feed = rss(*[(web.url_for(p), p, DATE) for p in ("/a", "/late")])
    serve_feed_with_etag(web, feed, '"f1"')
    serve_articles(web, "/a")
    web.expect_request("/late").respond_with_data("", status=503)
    source = web_source("feed", web.url_for("/feed"))
    first = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert [r.reason for r in first.rejects] == ["http_503"]
    assert first.validators == {web.url_for("/feed"): (None, None)}

    def serve() -> None:
        serve_feed_with_etag(web, feed, '"f1"')
        serve_articles(web, "/late")

    again = next_run(web, tmp_path, source, first, serve)
    assert [page.url for page in again.pages] == [web.url_for("/late")]


def test_articles_finally_rejected_keep_the_feed_validator(web, tmp_path):
    serve_feed_with_etag(web, rss((web.url_for("/gone"), "Gone", DATE)), '"f1"')
    source = web_source("feed", web.url_for("/feed"))
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert [r.reason for r in harvest.rejects] == ["http_404"]
    assert harvest.validators == {web.url_for("/feed"): ('"f1"', None)}


def test_a_sitemap_index_read_in_part_keeps_no_validator_so_its_other_children_are_read(
    web, tmp_path
):
    def serve() -> None:
        children = (
            (web.url_for("/new.xml"), "2020-10-04"),
            (web.url_for("/old.xml"), "2020-09-01"),
        )
        serve_with_etag(web, "/sitemap.xml", sitemap_index(*children), '"i1"')
        serve_with_etag(web, "/new.xml", urlset((web.url_for("/s2"), None)), '"n1"')
        serve_with_etag(web, "/old.xml", urlset((web.url_for("/s1"), None)), '"o1"')
        serve_articles(web, "/s1", "/s2")

    serve()
    source = web_source("sitemap", web.url_for("/sitemap.xml"), max_articles=1)
    first = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert [page.url for page in first.pages] == [web.url_for("/s2")]
    assert first.validators == {
        web.url_for("/sitemap.xml"): (None, None),
        web.url_for("/new.xml"): ('"n1"', None),
    }
    again = next_run(web, tmp_path, source, first, serve)
    assert [page.url for page in again.pages] == [web.url_for("/s1")]
    assert again.not_modified == 1


def test_feed_that_is_an_html_page_is_a_discover_reject_and_nothing_is_fetched(web, tmp_path):
    web.expect_request("/feed").respond_with_data(
        "<html><body><h1>Service unavailable<br></body></html>", content_type="text/html"
    )
    source = web_source("feed", web.url_for("/feed"))
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert [(r.stage, r.reason) for r in harvest.rejects] == [("discover", "not_xml")]
    assert len(harvest.pages) == 0 and harvest.links_found == 0


def test_unreachable_listing_is_a_fetch_reject_not_an_exception(web, tmp_path):
    source = web_source("feed", web.url_for("/no-feed-here"))
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert [(r.stage, r.reason) for r in harvest.rejects] == [("fetch", "http_404")]


def test_sitemap_index_is_followed_into_gzipped_children_newest_first(web, tmp_path):
    web.expect_request("/sitemap.xml").respond_with_data(
        sitemap_index(
            (web.url_for("/old.xml"), "2020-09-01"), (web.url_for("/new.xml.gz"), "2020-10-04")
        )
    )
    web.expect_request("/old.xml").respond_with_data(urlset((web.url_for("/s1"), None)))
    web.expect_request("/new.xml.gz").respond_with_data(
        gzipped(urlset((web.url_for("/s2"), "2020-10-04"))), content_type="application/gzip"
    )
    serve_articles(web, "/s1", "/s2")
    source = web_source("sitemap", web.url_for("/sitemap.xml"))
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert sorted(page.url for page in harvest.pages) == [web.url_for("/s1"), web.url_for("/s2")]
    listings = [p for p in requested_paths(web) if "xml" in p]
    assert listings == ["/sitemap.xml", "/new.xml.gz", "/old.xml"]


def test_nested_sitemap_indexes_stop_at_the_depth_bound(web, tmp_path):
    for level in range(MAX_SITEMAP_DEPTH + 2):
        child = web.url_for(f"/index{level + 1}.xml")
        web.expect_request(f"/index{level}.xml").respond_with_data(sitemap_index((child, None)))
    source = web_source("sitemap", web.url_for("/index0.xml"))
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert [r.reason for r in harvest.rejects] == ["sitemap_too_deep"]
    assert f"/index{MAX_SITEMAP_DEPTH + 1}.xml" not in requested_paths(web)


def test_html_index_source_fetches_the_selected_relative_links(web, tmp_path):
    web.expect_request("/latest").respond_with_data(
        b'<html><body><div class="teaser"><a href="news/1">One</a></div>'
        b'<div class="teaser"><a href="/news/2">Two</a></div><a href="/about">About</a></body>',
        content_type="text/html",
    )
    serve_articles(web, "/news/1", "/news/2")
    source = web_source("html_index", web.url_for("/latest"), link_selector="div.teaser a")
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert sorted(page.url for page in harvest.pages) == [
        web.url_for("/news/1"),
        web.url_for("/news/2"),
    ]
    assert {page.listed_title for page in harvest.pages} == {"One", "Two"}


def test_articles_are_fetched_in_parallel_up_to_the_source_concurrency(web, tmp_path):
    paths = [f"/p{n}" for n in range(5)]
    in_flight, peak, started = [0], [0], [0]
    overlap = threading.Condition()

    def slow_article(request: Request) -> Response:
        """Answers only once a second request is in flight (or none can come): two fetches
        then overlap however the machine schedules them, and a third would show in ``peak``."""
        with overlap:
            in_flight[0] += 1
            started[0] += 1
            peak[0] = max(peak[0], in_flight[0])
            overlap.notify_all()
            overlap.wait_for(lambda: in_flight[0] >= 2 or started[0] == len(paths), 60)
            in_flight[0] -= 1
        return Response(article(request.path), content_type="text/html")

    web.expect_request("/feed").respond_with_data(rss(*[(web.url_for(p), p, DATE) for p in paths]))
    for path in paths:
        web.expect_request(path).respond_with_handler(slow_article)
    source = web_source("feed", web.url_for("/feed"), concurrency=2)
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert len(harvest.pages) == 5
    assert peak[0] == 2


def test_archive_source_gives_pages_without_requests_and_skips_known_urls(tmp_path, web):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.html").write_bytes(article("A", canonical="https://news.example/a"))
    (folder / "b.html").write_bytes(article("B", canonical="https://news.example/b"))
    (folder / "b-copy.html").write_bytes(article("B", canonical="https://news.example/b"))
    source = Source(id="saved", kind="archive", path=folder)
    harvest = harvest_source(
        source,
        make_fetcher(tmp_path),
        known_urls=KnownUrls({"https://news.example/a"}),
        validators={},
    )
    assert [page.url for page in harvest.pages] == ["https://news.example/b"]
    assert harvest.links_found == 2
    assert harvest.fetches == [] and web.log == []


def test_links_left_when_the_time_budget_runs_out_are_read_again_next_run(web, tmp_path):
    fetcher = make_fetcher(tmp_path, fast_settings(source_time_budget=1.0))
    body = rss(*[(web.url_for(p), p, DATE) for p in ("/a", "/b", "/c")])

    def feed_answered_after_the_budget(request: Request) -> Response:
        wait_until(fetcher.out_of_time, "the time budget to run out")
        return Response(body, headers={"ETag": '"f1"'}, content_type="application/xml")

    web.expect_request("/feed").respond_with_handler(feed_answered_after_the_budget)
    source = web_source("feed", web.url_for("/feed"))
    first = harvest_source(source, fetcher, known_urls=KnownUrls(), validators={})
    assert requested_paths(web) == ["/robots.txt", "/feed"]
    assert (first.links_found, first.left_over, len(first.pages)) == (3, 3, 0)
    assert [(r.reason, r.url) for r in first.rejects] == [("time_budget", None)]
    assert "3 URLs left for the next run" in first.rejects[0].detail

    def serve() -> None:
        serve_feed_with_etag(web, body, '"f1"')
        serve_articles(web, "/a", "/b", "/c")

    again = next_run(web, tmp_path, source, first, serve)
    assert sorted(page.url for page in again.pages) == [web.url_for(p) for p in ("/a", "/b", "/c")]


def test_a_url_another_source_claimed_is_fetched_once_and_listed_by_both(web, tmp_path):
    shared, only_b = web.url_for("/shared"), web.url_for("/only-b")
    serve_feed_with_etag(web, rss((shared, "S", DATE)), '"a1"')
    serve_with_etag(web, "/feed-b", rss((shared, "S", DATE), (only_b, "B", DATE)), '"b1"')
    serve_articles(web, "/shared", "/only-b")
    known = KnownUrls()
    first, second = (
        harvest_source(
            Source(id=name, kind="feed", url=web.url_for(path), rate_per_second=1000.0),
            make_fetcher(tmp_path),
            known_urls=known,
            validators={},
        )
        for name, path in (("a", "/feed"), ("b", "/feed-b"))
    )
    assert requested_paths(web).count("/shared") == 1
    assert [page.url for page in first.pages] == [shared]
    assert [page.url for page in second.pages] == [only_b]
    assert first.listed == [shared] and sorted(second.listed) == sorted([shared, only_b])
    assert second.validators == {web.url_for("/feed-b"): ('"b1"', None)}


def test_a_retried_harvest_fetches_what_its_own_first_try_claimed(web, tmp_path):
    serve_feed_with_etag(web, rss((web.url_for("/a"), "A", DATE)), '"f1"')
    serve_articles(web, "/a")
    known, source = KnownUrls(), web_source("feed", web.url_for("/feed"))
    assert known.claim(web.url_for("/a"), source.id)  # the failed first try got this far
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=known, validators={})
    assert [page.url for page in harvest.pages] == [web.url_for("/a")]


def test_an_article_listed_under_many_tracking_urls_is_requested_once_and_costs_one_article(
    web, tmp_path
):
    variants = [f"/story?utm_source=s{n}&utm_medium=social&fbclid=x{n}" for n in range(5)]
    items = [(web.url_for(path), "Story", DATE) for path in [*variants, "/other"]]
    web.expect_request("/feed").respond_with_data(rss(*items))
    serve_articles(web, "/story", "/other")
    source = web_source("feed", web.url_for("/feed"), max_articles=2)
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert [page.url for page in harvest.pages] == [web.url_for(variants[0]), web.url_for("/other")]
    assert requested_paths(web).count("/story") == 1
    assert harvest.listed == [web.url_for(variants[0]), web.url_for("/other")]
    [reject] = harvest.rejects
    assert (reject.stage, reject.reason, reject.url) == ("discover", "duplicate_links", None)
    assert reject.detail.startswith("4 listed links were variants of articles already listed")
    assert web.url_for(variants[1]) in reject.detail


def test_a_sitemap_index_that_lists_itself_is_read_once_and_the_loop_is_a_reject(web, tmp_path):
    index = web.url_for("/sitemap.xml")
    web.expect_request("/sitemap.xml").respond_with_data(
        sitemap_index((index, None), (web.url_for("/news.xml"), None))
    )
    web.expect_request("/news.xml").respond_with_data(urlset((web.url_for("/s1"), None)))
    serve_articles(web, "/s1")
    source = web_source("sitemap", index)
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert [page.url for page in harvest.pages] == [web.url_for("/s1")]
    assert requested_paths(web).count("/sitemap.xml") == 1
    [reject] = harvest.rejects
    assert (reject.stage, reject.reason, reject.url) == ("discover", "sitemap_loop", index)
    assert reject.detail == f"lists {index}, itself; not read again"


def test_a_sitemap_index_that_lists_the_index_it_came_from_is_a_loop_reject(web, tmp_path):
    top, inner = web.url_for("/top.xml"), web.url_for("/inner.xml")
    web.expect_request("/top.xml").respond_with_data(sitemap_index((inner, None)))
    web.expect_request("/inner.xml").respond_with_data(
        sitemap_index((top, None), (web.url_for("/news.xml"), None))
    )
    web.expect_request("/news.xml").respond_with_data(urlset((web.url_for("/s1"), None)))
    serve_articles(web, "/s1")
    source = web_source("sitemap", top)
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert [page.url for page in harvest.pages] == [web.url_for("/s1")]
    assert [p for p in requested_paths(web) if p.endswith(".xml")] == [
        "/top.xml",
        "/inner.xml",
        "/news.xml",
    ]
    assert [(r.reason, r.url, r.detail) for r in harvest.rejects] == [
        ("sitemap_loop", inner, f"lists {top}, an index read on the way here; not read again")
    ]


def test_two_indexes_listing_the_same_sitemap_read_it_once_and_are_no_loop(web, tmp_path):
    web.expect_request("/top.xml").respond_with_data(
        sitemap_index((web.url_for("/a.xml"), None), (web.url_for("/b.xml"), None))
    )
    for path in ("/a.xml", "/b.xml"):
        web.expect_request(path).respond_with_data(sitemap_index((web.url_for("/news.xml"), None)))
    web.expect_request("/news.xml").respond_with_data(urlset((web.url_for("/s1"), None)))
    serve_articles(web, "/s1")
    source = web_source("sitemap", web.url_for("/top.xml"))
    harvest = harvest_source(source, make_fetcher(tmp_path), known_urls=KnownUrls(), validators={})
    assert [page.url for page in harvest.pages] == [web.url_for("/s1")]
    assert requested_paths(web).count("/news.xml") == 1
    assert harvest.rejects == []
