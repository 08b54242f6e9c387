"""Processing a batch: every page ends as an article or a reject, and one bad page stops nothing."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from config.settings import Settings
from tasks.process import Window, process_pages
from tasks.records import RawPage

NOW = datetime(2020, 10, 5, tzinfo=UTC)
STORY = "Shelling hit the town overnight, officials said, and two people were wounded. " * 6


def page(url: str, html: str) -> RawPage:
    return RawPage(url, "wire", html.encode(), datetime(2020, 10, 4, 12, tzinfo=UTC))


def article_page(url: str, published: str = "2020-10-04T10:00:00+03:00") -> RawPage:
    return page(
        url,
        f"<html><head><meta property='article:published_time' content='{published}'></head>"
        f"<body><article><h1>Town shelled</h1><p>{STORY}</p></article></body></html>",
    )


def test_a_page_that_breaks_a_parser_becomes_a_reject_and_the_batch_goes_on():
    nested = "[" * 100_000 + "]" * 100_000
    pathological = page(
        "https://wire.test/deep",
        f"<html><head><script type='application/ld+json'>{nested}</script></head>"
        f"<body><article><p>{STORY}</p></article></body></html>",
    )
    batch = process_pages(
        [pathological, article_page("https://wire.test/ok")], {}, Settings(), now=NOW
    )
    assert [(r.reason, r.url) for r in batch.rejects] == [
        ("internal_error", "https://wire.test/deep")
    ]
    assert [a.url for a in batch.articles] == ["https://wire.test/ok"]
    assert batch.page_urls == ["https://wire.test/deep", "https://wire.test/ok"]


def test_pages_outside_the_window_stay_due_for_a_later_run():
    batch = process_pages(
        [article_page("https://wire.test/a")],
        {},
        Settings(),
        now=NOW,
        window=Window(since=date(2020, 10, 5)),
    )
    assert batch.outside_window == 1 and batch.articles == [] and batch.page_urls == []


def test_a_page_whose_only_date_is_decades_ahead_loads_on_the_feed_date_and_says_why():
    future = replace(
        article_page("https://wire.test/town-shelled", published="2050-10-04T10:00:00+03:00"),
        listed_date="2020-10-04T08:00:00Z",
    )
    batch = process_pages([future], {}, Settings(), now=NOW)
    (loaded,) = batch.articles
    assert (loaded.published_at_source, loaded.published_is_fallback) == ("listed", True)
    assert batch.rejects == []
    assert [(r.stage, r.reason, r.source_id, r.url) for r in batch.flagged] == [
        ("date", "date_in_future", "wire", "https://wire.test/town-shelled")
    ]
    assert "2050-10-04T10:00:00+03:00" in batch.flagged[0].detail
    assert batch.page_urls == ["https://wire.test/town-shelled"]


def test_a_page_with_a_usable_date_of_its_own_flags_nothing():
    batch = process_pages([article_page("https://wire.test/ok")], {}, Settings(), now=NOW)
    assert batch.flagged == [] and not batch.articles[0].published_is_fallback


def test_an_empty_window_is_refused_naming_both_days():
    with pytest.raises(ValueError, match=r"since \(2020-10-05\) is after until \(2020-10-01\)"):
        Window.checked(date(2020, 10, 5), date(2020, 10, 1))


def test_signatures_use_the_configured_number_of_permutations():
    (record,) = process_pages(
        [article_page("https://wire.test/a")], {}, Settings(minhash_permutations=64), now=NOW
    ).articles
    assert len(record.signature) == 64 * 4
