"""The bundled sample corpus gives exactly the outcome samples/README.md promises."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest

pytestmark = pytest.mark.usefixtures("prefect_harness")


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_table_holds_the_promised_number_of_rows(sample_db):
    counts = {
        t: rows(sample_db, f"SELECT count(*) FROM {t}")[0][0]
        for t in ("raw_pages", "articles", "unique_stories", "article_duplicates", "rejects")
    }
    assert counts == {
        "raw_pages": 31,
        "articles": 28,
        "unique_stories": 22,
        "article_duplicates": 8,
        "rejects": 2,
    }
    assert rows(
        sample_db, "SELECT method, count(*) FROM article_duplicates GROUP BY 1 ORDER BY 1"
    ) == [
        ("exact", 2),
        ("near", 4),
        ("url", 2),
    ]


def test_the_broken_page_and_the_malformed_line_are_rejected_with_reasons(sample_db):
    assert rows(sample_db, "SELECT stage, reason FROM rejects ORDER BY 1") == [
        ("clean", "too_short"),
        ("fetch", "bad_archive_line"),
    ]


def test_the_page_without_a_date_falls_back_to_its_fetch_time_and_says_so(sample_db):
    assert rows(
        sample_db,
        "SELECT strftime(published_at, '%Y-%m-%d %H:%M') FROM articles "
        "WHERE published_at_source = 'fetch' AND published_is_fallback",
    ) == [("2014-08-19 06:40",)]


def test_the_seed_report_yields_its_incidents(sample_db):
    seed = rows(
        sample_db,
        "SELECT i.location, i.sub_event_type, i.killed_best, i.injured_low, i.claim_status "
        "FROM incidents i JOIN incident_mentions m USING (incident_id) "
        "JOIN articles a USING (article_id) "
        "WHERE a.canonical_url LIKE '%armenian-forces-target-azerbaijans-ganja%' "
        "AND i.event_date = DATE '2020-10-04' ORDER BY 1, 2, 5",
    )
    assert ("Ganja", "Shelling/artillery/missile attack", 1, 4, "claimed") in seed
    assert ("Ganja", "Shelling/artillery/missile attack", None, None, "disputed") in seed
    assert ("Jabrayil", "Government regains territory", None, None, "claimed") in seed
    shelled = {place for place, sub, *_ in seed if sub == "Shelling/artillery/missile attack"}
    assert {"Tartar", "Fuzuli", "Jabrayil", "Horadiz"} <= shelled


def test_every_incident_figure_is_traceable_to_a_sentence(sample_db):
    untraced = rows(
        sample_db,
        "SELECT incident_id FROM incidents i WHERE killed_best IS NOT NULL AND NOT EXISTS ("
        "SELECT 1 FROM incident_evidence e WHERE e.incident_id = i.incident_id "
        "AND i.killed_best IN (e.killed_low, e.killed_best, e.killed_high))",
    )
    assert untraced == []


def test_a_second_ingest_changes_nothing(sample_db):
    tables = (
        "raw_pages",
        "articles",
        "article_duplicates",
        "rejects",
        "incidents",
        "daily_summary",
    )
    before = {t: rows(sample_db, f"SELECT count(*) FROM {t}") for t in tables}
    again = ingest(sources=["sample"], db_path=str(sample_db))
    assert again["pages_fetched"] == 0 and again["articles_loaded"] == 0
    assert {t: rows(sample_db, f"SELECT count(*) FROM {t}") for t in tables} == before
