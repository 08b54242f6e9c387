import gzip
import json
import os
from datetime import UTC, datetime

from config.settings import Settings
from tasks.dedupe.urls import UrlRules
from tasks.fetching.archive import read_archive
from tasks.records import RawPage, Reject
from tests.tasks.pages import article


def pages_and_rejects(folder, source_id="saved"):
    items = list(read_archive(folder, source_id, UrlRules.load(Settings().url_rules_file)))
    return (
        [item for item in items if isinstance(item, RawPage)],
        [item for item in items if isinstance(item, Reject)],
    )


def jsonl(*records: object) -> str:
    return "".join(
        (record if isinstance(record, str) else json.dumps(record)) + "\n" for record in records
    )


def test_html_file_takes_its_canonical_url_and_mtime_and_keeps_its_file(tmp_path):
    page = tmp_path / "2020" / "strike.html"
    page.parent.mkdir()
    page.write_bytes(article("Strike", canonical="https://news.example/strike"))
    os.utime(page, (1_601_800_000, 1_601_800_000))
    (saved,), rejects = pages_and_rejects(tmp_path)
    assert rejects == []
    assert saved.url == "https://news.example/strike"
    assert saved.requested_url == "archive://saved/2020/strike.html"
    assert saved.fetched_at == datetime.fromtimestamp(1_601_800_000, UTC)
    assert saved.body == page.read_bytes()


def test_html_file_without_canonical_uses_og_url_then_its_archive_path(tmp_path):
    (tmp_path / "a.html").write_bytes(
        b'<html><head><meta property="og:url" content="https://news.example/og"></head></html>'
    )
    (tmp_path / "b.htm").write_bytes(article("No canonical"))
    (tmp_path / "c.html").write_bytes(b'<html><head><link rel="canonical" href="/rel"></head>')
    saved, _ = pages_and_rejects(tmp_path)
    assert [page.url for page in saved] == [
        "https://news.example/og",
        "archive://saved/b.htm",
        "archive://saved/c.html",
    ]


def test_files_whose_template_declares_the_home_page_keep_their_own_locators(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.html").write_bytes(article(name, canonical="https://news.example/"))
    saved, rejects = pages_and_rejects(tmp_path)
    assert rejects == []
    assert [page.url for page in saved] == [f"archive://saved/{n}.html" for n in "abc"]


def test_a_canonical_on_another_site_than_the_og_url_gives_way_to_the_og_url(tmp_path):
    (tmp_path / "copy.html").write_bytes(
        b'<html><head><link rel="canonical" href="https://wire.example/original">'
        b'<meta property="og:url" content="https://news.example/copy"></head></html>'
    )
    (saved,), _ = pages_and_rejects(tmp_path)
    assert saved.url == "https://news.example/copy"


def test_a_canonical_with_a_broken_port_or_host_falls_back_to_the_locator(tmp_path):
    (tmp_path / "a.html").write_bytes(article("A", canonical="https://news.example:8o8o/a"))
    (tmp_path / "b.html").write_bytes(article("B", canonical="http://[::1/b"))
    saved, rejects = pages_and_rejects(tmp_path)
    assert rejects == []
    assert [page.url for page in saved] == ["archive://saved/a.html", "archive://saved/b.html"]


def test_gzipped_html_is_read_decompressed(tmp_path):
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(article("Zipped")))
    (saved,), _ = pages_and_rejects(tmp_path)
    assert b"<h1>Zipped</h1>" in saved.body


def test_jsonl_lines_become_utf8_pages_with_their_listing_fields(tmp_path):
    (tmp_path / "dump.jsonl").write_text(
        jsonl(
            {
                "url": "https://news.example/1",
                "html": "<p>Київ</p>",
                "fetched_at": "2020-10-04T09:00:00Z",
                "listed_date": "2020-10-04",
                "listed_title": "Kyiv",
            },
            {"url": "https://news.example/2", "html": "<p>b</p>", "fetched_at": "2020-10-04T12:00"},
        ),
        encoding="utf-8",
    )
    first, second = pages_and_rejects(tmp_path)[0]
    assert first.body == "<p>Київ</p>".encode()
    assert first.headers == {"content-type": "text/html; charset=utf-8"}
    assert (first.listed_date, first.listed_title) == ("2020-10-04", "Kyiv")
    assert first.fetched_at == datetime(2020, 10, 4, 9, tzinfo=UTC)
    assert first.requested_url == "archive://saved/dump.jsonl#L1"
    assert second.fetched_at == datetime(2020, 10, 4, 12, tzinfo=UTC)
    assert second.listed_date is None


def test_gzipped_jsonl_is_read(tmp_path):
    line = {"url": "https://news.example/z", "html": "<p>z</p>", "fetched_at": "2020-10-04"}
    (tmp_path / "dump.jsonl.gz").write_bytes(gzip.compress(jsonl(line).encode()))
    (saved,), _ = pages_and_rejects(tmp_path)
    assert saved.url == "https://news.example/z"


def test_bad_jsonl_lines_are_rejected_with_their_line_number_and_the_rest_kept(tmp_path):
    good = {"url": "https://news.example/ok", "html": "<p>ok</p>", "fetched_at": "2020-10-04"}
    (tmp_path / "dump.jsonl").write_text(
        jsonl(
            good,
            "{not json",
            {"html": "<p>no url</p>", "fetched_at": "2020-10-04"},
            "",
            {"url": "https://news.example/d", "html": "<p>d</p>", "fetched_at": "yesterday"},
            [1, 2],
            good | {"url": "https://news.example/ok2"},
        )
    )
    saved, rejects = pages_and_rejects(tmp_path)
    assert [page.url for page in saved] == ["https://news.example/ok", "https://news.example/ok2"]
    assert {r.reason for r in rejects} == {"bad_archive_line"}
    assert [r.detail.split(":")[0] for r in rejects] == [
        "line 2",
        "line 3",
        "line 5",
        "line 6",
    ]
    assert "missing 'url'" in rejects[1].detail


def test_unreadable_file_is_rejected_and_other_files_still_read(tmp_path):
    (tmp_path / "a_broken.html.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "b_fine.html").write_bytes(article("Fine"))
    (tmp_path / "notes.txt").write_text("ignored")
    saved, rejects = pages_and_rejects(tmp_path)
    assert [page.url for page in saved] == ["archive://saved/b_fine.html"]
    assert [(r.reason, r.url) for r in rejects] == [
        ("unreadable_file", "archive://saved/a_broken.html.gz")
    ]


def test_missing_folder_is_one_reject(tmp_path):
    saved, rejects = pages_and_rejects(tmp_path / "nowhere")
    assert saved == []
    assert [(r.stage, r.reason) for r in rejects] == [("discover", "archive_missing")]


def test_a_symlink_to_a_file_outside_the_folder_is_refused_and_not_read(tmp_path):
    folder, outside = tmp_path / "archive", tmp_path / "secret.html"
    folder.mkdir()
    outside.write_bytes(article("Outside"))
    (folder / "x.html").symlink_to(outside)
    (folder / "y.html").write_bytes(article("Inside"))
    saved, rejects = pages_and_rejects(folder)
    assert [page.requested_url for page in saved] == ["archive://saved/y.html"]
    assert [(r.stage, r.reason, r.url) for r in rejects] == [
        ("fetch", "outside_archive", "archive://saved/x.html")
    ]
    assert str(outside) in rejects[0].detail


def test_a_symlinked_folder_outside_the_archive_is_refused_file_by_file(tmp_path):
    folder, outside = tmp_path / "archive", tmp_path / "elsewhere"
    folder.mkdir()
    outside.mkdir()
    (outside / "a.html").write_bytes(article("Outside"))
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    saved, rejects = pages_and_rejects(folder)
    assert saved == []
    assert [r.reason for r in rejects] == ["outside_archive"]


def test_a_symlink_that_stays_inside_the_folder_is_read(tmp_path):
    (tmp_path / "real.html").write_bytes(article("Inside"))
    (tmp_path / "alias.html").symlink_to(tmp_path / "real.html")
    saved, rejects = pages_and_rejects(tmp_path)
    assert rejects == []
    assert [page.requested_url for page in saved] == [
        "archive://saved/alias.html",
        "archive://saved/real.html",
    ]


def test_a_line_whose_url_is_not_http_is_rejected_naming_it(tmp_path):
    good = {"url": "https://news.example/ok", "html": "<p>x</p>", "fetched_at": "2020-10-04"}
    (tmp_path / "dump.jsonl").write_text(
        jsonl(
            good | {"url": "javascript:alert(1)//"},
            good | {"url": "file:///etc/passwd"},
            good,
        )
    )
    saved, rejects = pages_and_rejects(tmp_path)
    assert [page.url for page in saved] == ["https://news.example/ok"]
    assert [r.reason for r in rejects] == ["bad_archive_line", "bad_archive_line"]
    assert "javascript:alert(1)//" in rejects[0].detail
    assert "not an http(s) URL" in rejects[0].detail


def test_a_line_with_a_lone_surrogate_is_rejected_naming_the_field(tmp_path):
    good = '{"url": "https://news.example/ok", "html": "<p>x</p>", "fetched_at": "2020-10-04"'
    (tmp_path / "dump.jsonl").write_text(
        jsonl(
            good.replace("/ok", "/\\ud800") + "}",
            good + ', "listed_title": "Strike \\udc00 hits"}',
            good + "}",
        )
    )
    saved, rejects = pages_and_rejects(tmp_path)
    assert [page.url for page in saved] == ["https://news.example/ok"]
    assert [r.url for r in rejects] == [
        "archive://saved/dump.jsonl#L1",
        "archive://saved/dump.jsonl#L2",
    ]
    assert [r.detail for r in rejects] == [
        "line 1: 'url' is not valid Unicode (a lone surrogate)",
        "line 2: 'listed_title' is not valid Unicode (a lone surrogate)",
    ]
