"""A publish writes what the run changed: day partitions behind a small file of views."""

import zlib

import duckdb
import pytest

from config.settings import Settings
from warehouse.session import reader, writer
from warehouse.snapshot_views import parts_folder

ARTICLE = """
INSERT INTO articles BY NAME SELECT
    $id AS article_id, 'https://example.org/' || $id AS canonical_url,
    'https://example.org/' || $id AS url, 'wire' AS source_id, 'run' AS run_id,
    'Title ' || $id AS title, 'Body of ' || $id AS body, 'en' AS language,
    CAST($day AS TIMESTAMPTZ) + INTERVAL 9 HOUR AS published_at,
    'meta' AS published_at_source, false AS published_is_fallback, 3 AS word_count,
    'hash-' || $id AS content_hash, now() AS first_seen_at, now() AS updated_at
"""
PAGE = """
INSERT INTO raw_pages BY NAME SELECT
    $url AS url, 'wire' AS source_id, 200 AS status, $body AS body_zlib, 'sha' AS body_sha256,
    42 AS bytes, TIMESTAMPTZ '2020-10-04 10:00:00+00' AS fetched_at, 'run' AS run_id
"""


@pytest.fixture
def settings(tmp_path):
    return Settings(db_path=tmp_path / "news.duckdb", snapshot_keep_hours=0)


def files_of(settings, table):
    con = reader(settings)
    try:
        rows = con.execute(
            "SELECT part, file FROM snapshot_files WHERE table_name = ? ORDER BY 1", [table]
        ).fetchall()
        return dict(rows)
    finally:
        con.close()


def add_articles(settings, *articles):
    with writer(settings) as con:
        for article_id, day in articles:
            con.execute(ARTICLE, {"id": article_id, "day": day})


def test_a_run_rewrites_only_the_days_it_changed(settings):
    add_articles(settings, ("a", "2020-10-01"), ("b", "2020-10-02"))
    before = files_of(settings, "articles")
    add_articles(settings, ("c", "2020-10-02"), ("d", "2020-10-03"))
    after = files_of(settings, "articles")
    assert sorted(after) == ["2020-10-01", "2020-10-02", "2020-10-03"]
    assert after["2020-10-01"] == before["2020-10-01"], "an untouched day is not rewritten"
    assert after["2020-10-02"] != before["2020-10-02"]


def test_a_publish_of_many_days_writes_one_file_per_day_in_one_pass(settings):
    add_articles(settings, *[(f"a{n}", f"2020-10-{n % 20 + 1:02d}") for n in range(60)])
    assert len(files_of(settings, "articles")) == 20
    con = reader(settings)
    try:
        per_day = con.execute(
            "SELECT count(*) FROM articles GROUP BY CAST(published_at AS DATE)"
        ).fetchall()
        assert per_day == [(3,)] * 20
    finally:
        con.close()
    assert not list(parts_folder(settings.db_path).glob(".*"))


def test_an_article_that_moves_to_another_day_leaves_its_old_day(settings):
    add_articles(settings, ("a", "2020-10-01"), ("b", "2020-10-01"))
    with writer(settings) as con:
        con.execute("UPDATE articles SET published_at = published_at + INTERVAL 5 DAY "
                    "WHERE article_id = 'a'")  # fmt: skip
    con = reader(settings)
    try:
        rows = con.execute("SELECT article_id, CAST(published_at AS DATE) FROM articles ORDER BY 1")
        assert [(a, str(d)) for a, d in rows.fetchall()] == [
            ("a", "2020-10-06"),
            ("b", "2020-10-01"),
        ]
    finally:
        con.close()


def test_an_analyst_connection_keeps_reading_while_runs_publish(settings):
    add_articles(settings, ("a", "2020-10-01"))
    analyst = duckdb.connect(str(settings.db_path), read_only=True)
    add_articles(settings, ("b", "2020-10-01"))
    add_articles(settings, ("c", "2020-10-01"))
    assert analyst.execute("SELECT count(*) FROM unique_stories").fetchone() == (1,)
    analyst.close()


def test_files_no_recent_publish_names_are_deleted(settings):
    add_articles(settings, ("a", "2020-10-01"))
    first = files_of(settings, "articles")["2020-10-01"]
    for article_id in "bcde":
        add_articles(settings, (article_id, "2020-10-01"))
    files = {p.relative_to(parts_folder(settings.db_path)).as_posix()
             for p in parts_folder(settings.db_path).glob("articles/*")}  # fmt: skip
    assert first not in files
    assert len(files) == 3, "the current publish, the previous one's and one more are kept"


def test_page_bytes_stay_out_of_the_analyst_views_and_rebuild_a_lost_working_file(settings):
    body = zlib.compress(b"<html>the page</html>")
    with writer(settings) as con:
        con.execute(PAGE, {"url": "https://example.org/p", "body": body})
    con = reader(settings)
    try:
        names = [row[0] for row in con.execute("DESCRIBE raw_pages").fetchall()]
        assert "url" in names and "body_zlib" not in names
    finally:
        con.close()
    settings.work_db_path.unlink()
    with writer(settings) as con:
        assert con.execute("SELECT body_zlib FROM raw_pages").fetchall() == [(body,)]


def test_a_publish_killed_while_writing_a_partition_leaves_no_temporary_file(settings):
    add_articles(settings, ("a", "2020-10-01"))
    half = parts_folder(settings.db_path) / "articles" / "2020-10-02.1.parquet.tmp"
    half.write_bytes(b"half a file")
    add_articles(settings, ("b", "2020-10-02"))
    assert not half.exists()
    assert not [p for p in parts_folder(settings.db_path).rglob("*") if p.suffix == ".tmp"]


def test_the_views_carry_the_working_databases_descriptions(settings):
    with writer(settings) as con:
        con.execute("COMMENT ON TABLE articles IS 'One row per canonical URL'")
        con.execute("COMMENT ON COLUMN articles.title IS 'As the page gives it'")
        con.execute("COMMENT ON COLUMN raw_pages.body_zlib IS 'Not shown to analysts'")
    con = reader(settings)
    try:
        described = dict(
            con.execute(
                "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'articles'"
            ).fetchall()
        )
        hidden = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE comment = 'Not shown to analysts'"
        ).fetchone()
        table = con.execute("SELECT comment FROM duckdb_views() WHERE view_name = 'articles'")
        table = table.fetchone()
    finally:
        con.close()
    assert described["title"] == "As the page gives it"
    assert hidden == (0,)
    assert table == ("One row per canonical URL",)
