import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks.records import CleanPage, RawPage, Reject
from tasks.text.clean import clean_page

PAGES = Path(__file__).resolve().parents[2] / "fixtures" / "pages"
URL = "https://wire.example.org/world/2020/10/04/shelling-hits-stepanakert"
PARAGRAPH = (
    "<p>Officials said at least two civilians were killed and eleven wounded when rockets struck "
    "residential streets in the early hours, and reporters saw damaged buildings nearby.</p>"
)


def raw(body: bytes, *, url: str = URL, content_type: str | None = None) -> RawPage:
    headers = {"content-type": content_type} if content_type else {}
    return RawPage(
        url=url, source_id="wire", body=body, fetched_at=datetime.now(UTC), headers=headers
    )


@pytest.fixture(scope="module")
def wire_report() -> bytes:
    return (PAGES / "wire_report.html").read_bytes()


@pytest.fixture(scope="module")
def cleaned(wire_report: bytes) -> CleanPage:
    page = clean_page(raw(wire_report))
    assert isinstance(page, CleanPage), page
    return page


def test_metadata_comes_from_the_page(cleaned):
    assert cleaned.title == "Shelling hits Stepanakert as fighting spreads"
    assert cleaned.byline == "Anna Petrosyan"
    assert cleaned.language == "en"
    assert cleaned.canonical_url == URL


def test_body_keeps_the_reporting_and_its_paragraph_breaks(cleaned):
    paragraphs = cleaned.body.split("\n\n")
    assert paragraphs[0].startswith("STEPANAKERT, Oct 4 (Example Wire) - Shelling hit the main")
    assert len(paragraphs) == 4
    assert "Later on Sunday, the defence ministry in Baku" in paragraphs[-1]


@pytest.mark.parametrize(
    "furniture",
    [
        "READ MORE",
        "Share on",
        "Smoke rises over the city",
        "Related stories",
        "Markets slip",
        "Business",
        "All rights reserved",
    ],
)
def test_body_has_no_page_furniture(cleaned, furniture):
    assert furniture not in cleaned.body


def test_every_date_the_page_states_is_a_signal(cleaned):
    kinds = {signal.kind: signal.raw for signal in cleaned.date_signals}
    assert kinds == {
        "json_ld": "2020-10-04T09:15:00+04:00",
        "json_ld_modified": "2020-10-05T18:00:00+04:00",
        "meta": "2020-10-04T09:15:00+04:00",
        "meta_modified": "2020-10-05T18:00:00+04:00",
        "time": "2020-10-04T09:15:00+04:00",
        "url": URL,
        "dateline": "4 October 2020 09:15 GMT+4",
        "htmldate": "2020-10-04",
        "site_offset": "+04:00",
    }


def test_body_selector_takes_that_elements_text(wire_report):
    page = clean_page(raw(wire_report), body_selector=".article-body p:last-child", min_words=9)
    assert page.body.startswith("The fighting is the worst since the 1990s")
    assert "\n" not in page.body


def test_body_selector_that_matches_nothing_is_rejected(wire_report):
    rejected = clean_page(raw(wire_report), body_selector="div.story-text")
    assert (rejected.stage, rejected.reason) == ("clean", "selector_matched_nothing")


def test_malformed_body_selector_is_rejected_not_raised(wire_report):
    rejected = clean_page(raw(wire_report), body_selector="div[[")
    assert rejected.reason == "bad_selector"


def test_text_is_nfc_and_whitespace_is_collapsed():
    decomposed = unicodedata.normalize("NFD", "Kyïv")
    html = f"<html><body><article><p>In {decomposed}   the\tcity</p>{PARAGRAPH}</article></body>"
    page = clean_page(raw(html.encode()), min_words=5)
    assert "In Kyïv the city" in page.body


def test_page_declared_utf8_but_written_in_cp1251_comes_out_readable():
    html = (
        "<html><head><title>Обстрел Харькова</title></head><body><article>"
        + "<p>Погибли двое мирных жителей, ещё пятеро получили ранения, сообщили в областной "
        "администрации. По словам спасателей, снаряды попали в жилые дома и школу.</p>"
        * 4
        + "</article></body></html>"
    )
    page = clean_page(
        raw(html.encode("cp1251"), content_type="text/html; charset=utf-8"), min_words=10
    )
    assert page.body.startswith("Погибли двое мирных жителей")


def test_an_ascii_page_whose_meta_says_utf16_is_cleaned_not_refused_as_not_html():
    html = f'<html><head><meta charset="utf-16"></head><body><article>{PARAGRAPH}</article>'
    page = clean_page(raw(html.encode(), content_type="text/html"), min_words=5)
    assert isinstance(page, CleanPage), page
    assert page.body.startswith("Officials said at least two civilians were killed")


def test_language_falls_back_from_content_language_to_the_hint():
    body = f"<html><body><article>{PARAGRAPH}</article></body></html>"
    with_meta = body.replace(
        "<body>", '<head><meta http-equiv="Content-Language" content="uk"></head><body>'
    )
    assert clean_page(raw(with_meta.encode()), language_hint="ru", min_words=5).language == "uk"
    assert clean_page(raw(body.encode()), language_hint="ru", min_words=5).language == "ru"


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"", None, "empty_body"),
        (b"   \n", "text/html", "empty_body"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "binary"),
        (b"%PDF-1.7 lots of things", "application/pdf", "not_html"),
        (b"just a line of plain words and nothing else", None, "not_html"),
        (b"<html><body><script>var a = 1;</script></body></html>", None, "no_body"),
        (f"<html><body><article>{PARAGRAPH}</article></body></html>".encode(), None, "too_short"),
    ],
)
def test_unusable_pages_are_rejected_with_a_reason(body, content_type, reason):
    rejected = clean_page(raw(body, content_type=content_type))
    assert isinstance(rejected, Reject)
    assert (rejected.stage, rejected.reason, rejected.source_id, rejected.url) == (
        "clean",
        reason,
        "wire",
        URL,
    )
