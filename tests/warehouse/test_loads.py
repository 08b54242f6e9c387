"""Loads are idempotent: the same batch twice leaves the tables as after the first."""

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from warehouse import loads
from warehouse.db import connect, migrate, migrations

FETCHED = datetime(2020, 10, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def raw_row(url: str, body: bytes = b"<html>x</html>") -> dict:
    return {
        "url": url,
        "requested_url": url,
        "source_id": "s",
        "status": 200,
        "headers": "{}",
        "body": body,
        "listed_date": None,
        "listed_title": None,
        "fetched_at": FETCHED,
        "run_id": "r1",
    }


def count(con, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_storing_the_same_pages_twice_keeps_one_row_each(con):
    rows = [raw_row("https://a.test/1"), raw_row("https://a.test/2")]
    loads.store_raw_pages(con, rows)
    loads.store_raw_pages(con, rows)
    assert count(con, "raw_pages") == 2


def test_duplicate_keys_inside_one_batch_keep_the_last_row(con):
    loads.store_raw_pages(
        con, [raw_row("https://a.test/1", b"old"), raw_row("https://a.test/1", b"new")]
    )
    (body,) = con.execute("SELECT body_zlib FROM raw_pages").fetchone()
    assert loads.zlib.decompress(body) == b"new"


def test_stored_pages_come_back_as_received_and_stay_pending_until_marked(con):
    body = "Ganja — шрифт".encode()
    loads.store_raw_pages(con, [raw_row("https://a.test/1", body)])
    (page,) = loads.pending_pages(con)
    assert page["body"] == body and page["headers"] == {}
    loads.mark_processed(con, ["https://a.test/1"])
    assert loads.pending_pages(con) == []
    assert loads.queue_reprocessing(con, ["s"]) == 1
    assert len(loads.pending_pages(con)) == 1


def test_a_reject_seen_again_in_another_run_is_one_row_with_two_occurrences(con):
    reject = {"stage": "fetch", "reason": "http_404", "source_id": "s", "url": "u", "detail": ""}
    loads.record_rejects(con, "r1", [reject])
    loads.record_rejects(con, "r1", [reject])
    loads.record_rejects(con, "r2", [reject])
    assert con.execute("SELECT occurrences, first_run_id, last_run_id FROM rejects").fetchall() == [
        (2, "r1", "r2")
    ]


def test_known_urls_include_the_url_before_redirects(con):
    row = raw_row("https://a.test/final") | {"requested_url": "https://a.test/short"}
    loads.store_raw_pages(con, [row])
    assert loads.known_urls(con) == {"https://a.test/final", "https://a.test/short"}


def test_two_listed_urls_redirecting_to_one_page_are_both_known(con):
    final = "https://a.test/story"
    loads.store_raw_pages(
        con,
        [
            raw_row(final) | {"requested_url": "https://a.test/?p=7"},
            raw_row(final) | {"requested_url": "https://a.test/short/7"},
        ],
    )
    loads.store_raw_pages(con, [raw_row(final) | {"requested_url": "https://a.test/feed/7"}])
    assert loads.known_urls(con) == {
        final,
        "https://a.test/?p=7",
        "https://a.test/short/7",
        "https://a.test/feed/7",
    }


def test_a_database_from_before_page_aliases_learns_them_from_its_raw_pages(con):
    loads.store_raw_pages(
        con, [raw_row("https://a.test/story") | {"requested_url": "https://a.test/7"}]
    )
    con.execute("DROP TABLE page_aliases")
    con.execute("DELETE FROM schema_migrations WHERE name = '004_page_aliases.sql'")
    assert migrate(con) == ["004_page_aliases.sql"]
    assert loads.known_urls(con) == {"https://a.test/story", "https://a.test/7"}


def test_a_page_stored_again_unchanged_stays_processed(con):
    loads.store_raw_pages(con, [raw_row("https://a.test/1", b"same")])
    loads.mark_processed(con, ["https://a.test/1"])
    loads.store_raw_pages(con, [raw_row("https://a.test/1", b"same") | {"run_id": "r2"}])
    assert loads.pending_pages(con) == []
    assert con.execute("SELECT run_id FROM raw_pages").fetchall() == [("r2",)]


def test_a_page_stored_again_with_new_bytes_is_due_for_processing(con):
    loads.store_raw_pages(con, [raw_row("https://a.test/1", b"old")])
    loads.mark_processed(con, ["https://a.test/1"])
    loads.store_raw_pages(con, [raw_row("https://a.test/1", b"new")])
    assert [page["body"] for page in loads.pending_pages(con)] == [b"new"]


def test_validators_round_trip(con):
    loads.save_validators(con, {"https://a.test/rss": ('"abc"', "Sun, 04 Oct 2020 10:00:00 GMT")})
    assert loads.load_validators(con) == {
        "https://a.test/rss": ('"abc"', "Sun, 04 Oct 2020 10:00:00 GMT")
    }


def test_a_failed_transaction_leaves_nothing_behind(con):
    with pytest.raises(RuntimeError), loads.transaction(con):
        loads.store_raw_pages(con, [raw_row("https://a.test/1")])
        raise RuntimeError("killed")
    assert count(con, "raw_pages") == 0


def test_a_page_stored_again_by_another_source_stays_with_the_first(con):
    loads.store_raw_pages(con, [raw_row("https://a.test/story")])
    loads.store_raw_pages(con, [raw_row("https://a.test/story") | {"source_id": "other"}])
    assert con.execute("SELECT source_id FROM raw_pages").fetchall() == [("s",)]


def test_every_source_that_listed_a_url_is_kept_once_with_its_first_sighting(con):
    loads.record_listings(con, "r1", "wire", ["https://a.test/x", "https://a.test/x"])
    loads.record_listings(con, "r2", "partner", ["https://a.test/x"])
    loads.record_listings(con, "r3", "wire", ["https://a.test/x"])
    rows = con.execute(
        "SELECT url, source_id, first_run_id FROM page_sources ORDER BY source_id"
    ).fetchall()
    assert rows == [("https://a.test/x", "partner", "r2"), ("https://a.test/x", "wire", "r1")]


def test_page_sources_learns_who_listed_the_pages_stored_before_it_and_can_run_again(con):
    loads.store_raw_pages(
        con, [raw_row("https://a.test/story") | {"requested_url": "https://a.test/7"}]
    )
    con.execute("DROP TABLE page_sources")
    con.execute("DELETE FROM schema_migrations WHERE name = '007_page_sources.sql'")
    assert migrate(con) == ["007_page_sources.sql"]
    ((_, _, sql),) = [m for m in migrations() if m[1] == "007_page_sources.sql"]
    con.execute(sql)  # a re-run changes nothing
    rows = con.execute("SELECT url, source_id FROM page_sources ORDER BY url").fetchall()
    assert rows == [("https://a.test/7", "s"), ("https://a.test/story", "s")]


def test_a_merged_row_updates_each_column_by_name_whatever_the_batch_column_order(con):
    reversed_schema = pa.schema(list(reversed(loads.SOURCES_SCHEMA)))
    row = {
        "source_id": "s",
        "name": "Wire",
        "kind": "feed",
        "location": "https://wire.test/feed",
        "timezone": "UTC",
        "enabled": True,
        "settings": "{}",
        "updated_at": FETCHED,
    }
    loads.merge_rows(con, "sources", "source_id", [row], reversed_schema)
    loads.merge_rows(con, "sources", "source_id", [row | {"name": "Wire 2"}], reversed_schema)
    assert con.execute("SELECT source_id, name FROM sources").fetchall() == [("s", "Wire 2")]
