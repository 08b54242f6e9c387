"""Loading batches into a real DuckDB file: re-processing rewrites the links, never strands them."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from config.settings import Settings
from tasks.dedupe.copies import figures
from tasks.dedupe.minhash import Banding, content_hash, signature
from tasks.dedupe.urls import UrlRules, article_id, canonical_url
from tasks.process import ArticleRecord, ProcessedBatch
from tasks.records import Reject
from tasks.run_counts import IngestCounts
from tests.tasks.dedupe.test_copies import SAME_TOPIC, WIRE, edited
from warehouse.db import connect
from warehouse.load_articles import load_batch, open_dedupe

OCT = {day: datetime(2020, 10, day, 9, 0, tzinfo=UTC) for day in (4, 5, 6)}


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def record(name: str, body: str, published: datetime, *, url: str | None = None) -> ArticleRecord:
    """An article from page ``url`` (by default its own canonical URL) titled ``name``."""
    canonical = canonical_url(
        f"https://{name}.test/story", rules=UrlRules.load(Settings().url_rules_file)
    )
    return ArticleRecord(
        article_id=article_id(canonical),
        canonical_url=canonical,
        url=url or canonical,
        source_id="s",
        title=name,
        body=body,
        byline=None,
        language="en",
        published_at=published,
        published_at_source="meta",
        published_at_raw=None,
        published_is_fallback=False,
        published_tz_offset=0,
        published_local_date=published.date(),
        word_count=len(body.split()),
        content_hash=content_hash(body),
        signature=signature(body),
        figures=tuple(sorted(figures(body))),
    )


def rejected(url: str) -> Reject:
    return Reject("clean", "too_short", "s", url, "12 words")


def load(con, *records: ArticleRecord, rejects: tuple[Reject, ...] = ()) -> IngestCounts:
    """One run's batch, with the dedupe index rebuilt from the database as a new run does."""
    counts = IngestCounts()
    batch = ProcessedBatch(
        articles=list(records),
        rejects=list(rejects),
        page_urls=[r.url for r in records] + [r.url for r in rejects],
    )
    load_batch(con, "run", batch, open_dedupe(con, Settings()), counts)
    return counts


def stories(con) -> list[str]:
    return [row[0] for row in con.execute("SELECT title FROM unique_stories ORDER BY 1").fetchall()]


def links(con) -> list[tuple[str, str | None, str]]:
    """(member title or member URL, canonical title, method) of every duplicate row."""
    return con.execute(
        "SELECT coalesce(m.title, d.member_url), c.title, d.method FROM article_duplicates d "
        "LEFT JOIN articles m ON m.article_id = d.member_article_id "
        "LEFT JOIN articles c ON c.article_id = d.canonical_article_id ORDER BY 1"
    ).fetchall()


def count(con, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_canonical_redated_after_its_copy_hands_the_story_to_the_copy(con):
    load(con, record("a", WIRE, OCT[4]), record("b", WIRE, OCT[5]))
    assert stories(con) == ["a"] and links(con) == [("b", "a", "exact")]
    load(con, record("a", WIRE, OCT[6]))
    assert stories(con) == ["b"]
    assert links(con) == [("a", "b", "exact")]


def test_a_canonical_whose_text_changed_leaves_its_former_copy_a_story_of_its_own(con):
    load(con, record("a", WIRE, OCT[4]), record("b", WIRE, OCT[5]))
    load(con, record("a", SAME_TOPIC, OCT[4]))
    assert stories(con) == ["a", "b"]
    assert links(con) == []


def test_url_variant_rows_survive_when_the_copies_are_rewritten(con):
    variant = "https://a.test/story?utm_source=rss"
    load(con, record("a", WIRE, OCT[4]), record("b", WIRE, OCT[5]))
    load(con, record("a", WIRE, OCT[4], url=variant))
    load(con, record("a", WIRE, OCT[6]))
    assert links(con) == [("a", "b", "exact"), (variant, "a", "url")]


def test_reloading_an_unchanged_story_counts_no_new_copy(con):
    load(con, record("a", WIRE, OCT[4]), record("b", WIRE, OCT[5]))
    again = load(con, record("a", WIRE, OCT[4]), record("b", WIRE, OCT[5]))
    assert again.duplicates == {}
    assert links(con) == [("b", "a", "exact")]


def test_a_third_copy_counts_one_new_copy(con):
    load(con, record("a", WIRE, OCT[4]), record("b", WIRE, OCT[5]))
    assert load(con, record("c", WIRE, OCT[6])).duplicates == {"exact": 1}
    assert links(con) == [("b", "a", "exact"), ("c", "a", "exact")]


def test_a_page_now_rejected_retires_its_article_and_its_copy_becomes_the_story(con):
    a, b = record("a", WIRE, OCT[4]), record("b", WIRE, OCT[5])
    load(con, a, b)
    load(con, rejects=(rejected(a.url),))
    assert stories(con) == ["b"]
    assert links(con) == []
    assert (count(con, "articles"), count(con, "article_minhash")) == (1, 1)
    assert con.execute("SELECT reason, url FROM rejects").fetchall() == [("too_short", a.url)]


def test_a_rejected_copy_is_retired_and_the_story_keeps_its_canonical(con):
    a, b, c = record("a", WIRE, OCT[4]), record("b", WIRE, OCT[5]), record("c", WIRE, OCT[6])
    load(con, a, b, c)
    load(con, rejects=(rejected(b.url),))
    assert stories(con) == ["a"]
    assert links(con) == [("c", "a", "exact")]


def test_an_article_keeps_its_utc_instant_and_the_day_and_offset_its_page_showed(con):
    just_after_midnight_in_kyiv = datetime(2020, 2, 14, 22, 30, tzinfo=UTC)
    article = replace(
        record("kyiv", WIRE, just_after_midnight_in_kyiv),
        published_tz_offset=120,
        published_local_date=date(2020, 2, 15),
    )
    load(con, article)
    row = con.execute(
        "SELECT published_at, published_tz_offset, published_local_date FROM unique_stories"
    ).fetchone()
    assert row == (just_after_midnight_in_kyiv, 120, date(2020, 2, 15))


def test_a_near_copy_in_a_later_run_is_found_through_the_stored_band_keys(con):
    load(con, record("a", WIRE, OCT[4]), record("other", SAME_TOPIC, OCT[4]))
    load(con, record("b", edited(WIRE, 0.05), OCT[5]))
    assert links(con) == [("b", "a", "near")]


def test_band_keys_follow_their_articles_through_rewrites_and_retirement(con):
    bands = Banding.for_threshold(Settings().near_duplicate_threshold).bands
    a, b = record("a", WIRE, OCT[4]), record("b", SAME_TOPIC, OCT[5])
    load(con, a, b)
    load(con, record("a", edited(WIRE, 0.05), OCT[4]))
    assert count(con, "article_bands") == 2 * bands
    load(con, rejects=(rejected(b.url),))
    assert count(con, "article_bands") == bands


def test_signatures_made_another_way_are_made_again_from_the_stored_bodies(con):
    a = record("a", WIRE, OCT[4])
    load(con, a)
    con.execute("UPDATE minhash_scheme SET scheme = 'datasketch affine32'")
    con.execute("UPDATE article_minhash SET signature = '\\x00'::BLOB, figures = NULL")
    load(con, record("b", edited(WIRE, 0.05), OCT[5]))
    assert links(con) == [("b", "a", "near")]
    stored = "SELECT signature, figures FROM article_minhash WHERE article_id = ?"
    assert con.execute(stored, [a.article_id]).fetchall() == [(a.signature, list(a.figures))]
