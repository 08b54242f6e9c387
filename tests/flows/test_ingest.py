"""The ingest flow, run for real: a loopback web site, a DuckDB file, Prefect's local API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import escape
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from config.sources import SourceConfigError
from flows.ingest import ingest
from tests.tasks.pages import loopback_server, reset_server

STORY = (
    "Artillery shells hit the eastern town of Avdiivka on Saturday, local officials said, "
    "killing two civilians and wounding at least five others. The regional governor said "
    "residential buildings and a school were damaged in the attack, which began before dawn "
    "and lasted several hours. Emergency crews worked through the day to clear the rubble "
    "and restore power to the affected districts, the governor added in a statement."
)
OTHER = (
    "The central bank raised its main interest rate by half a percentage point on Thursday, "
    "citing persistent inflation in food and energy prices. Analysts had expected a smaller "
    "move, and the currency strengthened after the announcement. The bank said further "
    "increases were possible if price growth did not slow over the coming months, and that "
    "it would publish new forecasts at its next meeting in the spring."
)


def page(title: str, body: str, published: str | None = "2020-10-04T10:00:00+03:00") -> str:
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in body.split(". ") if s.strip())
    return (
        f"<html lang='en'><head><title>{title}</title>{meta}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>Copyright Example Wire</footer></body></html>"
    )


def rss(base: str, paths: list[str]) -> str:
    items = "".join(
        f"<item><title>{escape(p)}</title><link>{escape(base + p)}</link>"
        "<pubDate>Sun, 04 Oct 2020 08:00:00 GMT</pubDate></item>"
        for p in paths
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>"
    )


FEED_PATHS = [
    "/news/avdiivka-shelled",
    "/news/avdiivka-shelled?utm_source=twitter&utm_medium=social",
    "/news/rates-up",
    "/news/gone",
    "/mirror/avdiivka-shelled",
    "/partner/two-civilians-killed",
]


def serve_site(web: HTTPServer) -> None:
    base = web.url_for("")[:-1]

    def feed(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(
            rss(base, FEED_PATHS), headers={"ETag": '"v1"'}, content_type="application/rss+xml"
        )

    web.expect_request("/feed.xml").respond_with_handler(feed)
    web.expect_request("/news/avdiivka-shelled").respond_with_data(
        page("Shelling kills two in Avdiivka", STORY), content_type="text/html"
    )
    web.expect_request("/news/rates-up").respond_with_data(
        page("Central bank raises rates", OTHER, published=None), content_type="text/html"
    )
    web.expect_request("/mirror/avdiivka-shelled").respond_with_data(
        page("Shelling kills two in Avdiivka", STORY), content_type="text/html"
    )
    web.expect_request("/partner/two-civilians-killed").respond_with_data(
        page("Two civilians killed in Avdiivka shelling", STORY, "2020-10-04T13:00:00+03:00"),
        content_type="text/html",
    )


@pytest.fixture(scope="module")
def web() -> Iterator[HTTPServer]:
    with loopback_server() as server:
        yield server


@pytest.fixture
def site(web: HTTPServer) -> Iterator[HTTPServer]:
    serve_site(web)
    yield web
    reset_server(web)


def sources_file(tmp_path: Path, web: HTTPServer, extra: str = "") -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        f"  - {{id: wire, kind: feed, url: '{web.url_for('/feed.xml')}', rate_per_second: 100}}\n"
        + extra,
        encoding="utf-8",
    )
    return path


def run(tmp_path: Path, web: HTTPServer, **params) -> dict:
    return ingest(
        sources_file=str(sources_file(tmp_path, web, params.pop("extra", ""))),
        db_path=str(tmp_path / "news.duckdb"),
        **params,
    )


def table_counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("articles", "unique_stories", "article_duplicates", "rejects", "raw_pages")
        }
    finally:
        con.close()


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.usefixtures("prefect_harness")
class TestIngestFromAFeed:
    def test_articles_duplicates_and_rejects_each_land_in_their_table(self, tmp_path, site):
        counts = run(tmp_path, site)
        db = tmp_path / "news.duckdb"
        assert counts["status"] == "completed"
        assert table_counts(db) == {
            "articles": 4,
            "unique_stories": 2,  # the mirror is an exact copy, the partner's a re-headlined one
            "article_duplicates": 2,
            "rejects": 2,
            "raw_pages": 4,  # the tracking-parameter URL is the same article, not requested
        }
        assert sorted(query(db, "SELECT method FROM article_duplicates")) == [
            ("exact",),
            ("near",),
        ]
        assert sorted(query(db, "SELECT stage, reason FROM rejects")) == [
            ("discover", "duplicate_links"),
            ("fetch", "http_404"),
        ]

    def test_the_run_records_the_seconds_each_stage_took(self, tmp_path, site):
        counts = run(tmp_path, site)
        ((recorded,),) = query(
            tmp_path / "news.duckdb", "SELECT counts FROM pipeline_runs WHERE flow = 'ingest'"
        )
        stored = json.loads(recorded)["stage_seconds"]
        ran = {"discover_fetch", "store", "clean", "date", "dedupe", "load"}
        assert set(stored) == ran and all(seconds >= 0 for seconds in stored.values())
        # publishing and summarize come after the row is written: the flow's result adds them
        assert set(counts["stage_seconds"]) == ran | {"publish", "summarize"}

    def test_a_page_without_a_date_takes_the_feed_date_and_says_so(self, tmp_path, site):
        run(tmp_path, site)
        rows = query(
            tmp_path / "news.duckdb",
            "SELECT published_at_source, published_is_fallback, "
            "strftime(published_at, '%Y-%m-%d %H:%M') FROM articles WHERE url LIKE '%rates-up'",
        )
        assert rows == [("listed", True, "2020-10-04 08:00")]

    def test_published_times_are_stored_in_utc(self, tmp_path, site):
        run(tmp_path, site)
        rows = query(
            tmp_path / "news.duckdb",
            "SELECT strftime(published_at, '%H:%M'), published_at_raw FROM articles "
            "WHERE url LIKE '%/news/avdiivka-shelled'",
        )
        assert rows == [("07:00", "2020-10-04T10:00:00+03:00")]

    def test_running_the_same_ingest_twice_changes_no_count_and_refetches_nothing(
        self, tmp_path, site
    ):
        run(tmp_path, site)
        before = table_counts(tmp_path / "news.duckdb")
        requests_before = len(site.log)
        second = run(tmp_path, site)
        assert table_counts(tmp_path / "news.duckdb") == before
        assert second["pages_fetched"] == 0 and second["not_modified"] == 1
        assert [r.path for r, _ in site.log[requests_before:]] == ["/robots.txt", "/feed.xml"]

    def test_an_ingest_publishes_once_and_a_rerun_rewrites_only_the_runs_own_rows(
        self, tmp_path, site
    ):
        run(tmp_path, site)
        run(tmp_path, site)
        work = tmp_path / ".news.work.duckdb"
        publishes = query(work, "SELECT count(DISTINCT generation) FROM published_partitions")
        assert publishes == [(2,)], "one publish per ingest"
        runs = query(work, "SELECT flow, count(*) FROM pipeline_runs GROUP BY flow ORDER BY flow")
        assert runs == [("ingest", 2), ("summarize", 1)], "nothing new to read: no subflow"
        rewritten = query(
            work,
            "SELECT DISTINCT table_name FROM published_partitions WHERE generation = "
            "(SELECT max(generation) FROM published_partitions) AND contains(file, generation)",
        )
        # the rerun's own rows: its runs, its two requests, the listing's validator, and the
        # sources (one small file; every run records their settings)
        assert sorted(rewritten) == [
            ("fetches",), ("http_validators",), ("pipeline_runs",), ("sources",)
        ]  # fmt: skip

    def test_a_failing_source_marks_the_run_partially_failed_and_the_others_still_load(
        self, tmp_path, site
    ):
        dead = "  - {id: dead, kind: feed, url: 'http://127.0.0.1:9/rss'}\n"
        counts = run(tmp_path, site, extra=dead)
        assert counts["status"] == "partially_failed"
        assert list(counts["failed_sources"]) == ["dead"]
        assert table_counts(tmp_path / "news.duckdb")["articles"] == 4
        (row,) = query(
            tmp_path / "news.duckdb",
            "SELECT status, counts FROM pipeline_runs WHERE flow = 'ingest'",
        )
        assert row[0] == "partially_failed" and "dead" in json.loads(row[1])["failed_sources"]

    def test_reprocessing_rebuilds_articles_from_stored_pages_without_fetching(
        self, tmp_path, site
    ):
        run(tmp_path, site)
        requests_before = len(site.log)
        counts = run(tmp_path, site, reprocess=True)
        assert len(site.log) == requests_before
        assert counts["pages_processed"] == 4 and counts["articles_loaded"] == 4
        assert table_counts(tmp_path / "news.duckdb")["articles"] == 4

    def test_a_date_window_loads_only_its_days_and_leaves_the_rest_for_later(self, tmp_path, site):
        counts = run(tmp_path, site, since="2020-10-05")
        assert counts["outside_window"] == 4 and counts["articles_loaded"] == 0
        later = run(tmp_path, site)
        assert later["pages_fetched"] == 0 and later["articles_loaded"] == 4


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2020-10-05", "until": "2020-10-01"}, "since (2020-10-05) is after until"),
        ({"sources": ["wire", "nope"]}, "unknown source id(s): nope"),
    ],
)
def test_bad_parameters_fail_at_once_naming_the_bad_value(tmp_path, web, params, message):
    with pytest.raises((ValueError, SourceConfigError)) as error:
        run(tmp_path, web, **params)
    assert message in str(error.value)
    assert not (tmp_path / "news.duckdb").exists()


def archive_line(url: str, html: str, **fields: str) -> str:
    return json.dumps({"url": url, "html": html, "fetched_at": "2020-10-05T00:00:00Z", **fields})


@pytest.fixture(scope="class")
def untrustworthy_archive(tmp_path_factory, prefect_harness) -> Path:
    """One ingest of a dump holding a lone surrogate, a script URL and a date 30 years ahead."""
    folder = tmp_path_factory.mktemp("dump")
    lines = [
        archive_line("https://wire.example/good", page("Shelling kills two in Avdiivka", STORY)),
        archive_line("https://wire.example/\ud800", page("Bad", OTHER)),
        archive_line("javascript:alert(1)//", page("Script", OTHER)),
        archive_line(
            "https://wire.example/rates-up",
            page("Central bank raises rates", OTHER, published="2050-10-04T10:00:00+03:00"),
            listed_date="2020-10-04T08:00:00Z",
        ),
    ]
    (folder / "pages" / "dump.jsonl").parent.mkdir()
    (folder / "pages" / "dump.jsonl").write_text("\n".join(lines) + "\n", encoding="ascii")
    sources = folder / "sources.yaml"
    sources.write_text(f"sources:\n  - {{id: dump, kind: archive, path: '{folder / 'pages'}'}}\n")
    counts = ingest(sources_file=str(sources), db_path=str(folder / "news.duckdb"))
    assert counts["status"] == "completed", counts
    return folder / "news.duckdb"


@pytest.mark.usefixtures("prefect_harness")
class TestIngestFromAnUntrustworthyArchive:
    def test_bad_lines_become_rejects_and_the_good_lines_of_the_file_still_load(
        self, untrustworthy_archive
    ):
        assert query(untrustworthy_archive, "SELECT url FROM articles ORDER BY url") == [
            ("https://wire.example/good",),
            ("https://wire.example/rates-up",),
        ]
        rejects = query(
            untrustworthy_archive,
            "SELECT reason, detail FROM rejects WHERE stage = 'fetch' ORDER BY detail",
        )
        assert rejects == [
            ("bad_archive_line", "line 2: 'url' is not valid Unicode (a lone surrogate)"),
            ("bad_archive_line", "line 3: 'url' is not an http(s) URL: 'javascript:alert(1)//'"),
        ]

    def test_a_page_whose_only_date_is_decades_ahead_loads_on_its_feed_date_with_a_reject(
        self, untrustworthy_archive
    ):
        (article,) = query(
            untrustworthy_archive,
            "SELECT published_at_source, published_is_fallback, strftime(published_at, '%Y-%m-%d') "
            "FROM articles WHERE url LIKE '%rates-up'",
        )
        assert article == ("listed", True, "2020-10-04")
        (reject,) = query(
            untrustworthy_archive,
            "SELECT stage, reason, url, detail FROM rejects WHERE stage = 'date'",
        )
        assert reject[:3] == ("date", "date_in_future", "https://wire.example/rates-up")
        assert "'2050-10-04T10:00:00+03:00' discarded" in reject[3]
