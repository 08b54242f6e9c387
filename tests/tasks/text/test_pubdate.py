from datetime import UTC, date, datetime, timedelta

import pytest

from tasks.records import DateSignal, PublishedDate, Reject
from tasks.text.pubdate import (
    choose_published,
    offset_minutes,
    on_page_clock,
    parse_as_written,
    parse_date,
)

NOW = datetime(2020, 10, 10, 12, 0, tzinfo=UTC)
EARLIEST = date(1990, 1, 1)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sun, 04 Oct 2020 14:32:00 GMT", at(2020, 10, 4, 14, 32)),
        ("Sun, 04 Oct 2020 14:32:00 +0300", at(2020, 10, 4, 11, 32)),
        ("2020-10-04T14:32:00Z", at(2020, 10, 4, 14, 32)),
        ("2020-10-04T14:32:00+03:00", at(2020, 10, 4, 11, 32)),
        ("2020-10-04T14:32:00.250-0500", at(2020, 10, 4, 19, 32, 0, 250000)),
        ("4 October 2020 14:32 GMT+4", at(2020, 10, 4, 10, 32)),
        ("4 October 2020 14:32 UTC-3", at(2020, 10, 4, 17, 32)),
    ],
)
def test_dates_with_a_stated_offset_become_that_utc_instant(raw, expected):
    assert parse_date(raw, "Asia/Tokyo") == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2020-10-04",
        "Oct 4, 2020",
        "04.10.2020",
        "4. Oktober 2020",
        "4 октября 2020",
        "4 de octubre de 2020",
        "https://wire.example.org/world/2020/10/04/story",
        "https://wire.example.org/news-20201004-story.html",
        "20201004",
    ],
)
def test_dates_without_a_time_are_local_midnight_in_the_source_zone(raw):
    assert parse_date(raw, "Europe/Kyiv") == at(2020, 10, 3, 21, 0)


@pytest.mark.parametrize("raw", ["2020-10-04 14:32:00", "Published: October 4, 2020 at 2:32 pm"])
def test_naive_times_take_the_source_timezone_hint(raw):
    assert parse_date(raw, "Asia/Baku") == at(2020, 10, 4, 10, 32)


def test_day_first_numeric_dates_keep_their_time():
    assert parse_date("04.10.2020 14:32", "UTC") == at(2020, 10, 4, 14, 32)


@pytest.mark.parametrize("raw", ["", "garbage", "Oct 4", "31.02.2020", "https://x.org/about"])
def test_text_without_a_full_calendar_date_is_not_a_date(raw):
    assert parse_date(raw, "UTC") is None


def test_a_date_as_written_keeps_the_page_offset_so_its_day_is_the_readers_day():
    written = parse_as_written("2020-10-04T00:30:00+03:00")
    assert written.date() == date(2020, 10, 4)
    assert parse_date("2020-10-04T00:30:00+03:00", "UTC").date() == date(2020, 10, 3)


def choose(*signals: DateSignal, fetched_at: datetime | None = NOW) -> PublishedDate | Reject:
    return choose_published(
        signals, tz_hint="UTC", fetched_at=fetched_at, earliest=EARLIEST, now=NOW
    )


def test_structured_publication_date_beats_modified_url_and_dateline():
    chosen = choose(
        DateSignal("dateline", "1 October 2020"),
        DateSignal("url", "https://x.org/2020/10/02/a"),
        DateSignal("meta_modified", "2020-10-05T10:00:00Z"),
        DateSignal("json_ld", "2020-10-04T09:00:00Z"),
    )
    assert (chosen.published_at, chosen.source, chosen.raw) == (
        at(2020, 10, 4, 9),
        "json_ld",
        "2020-10-04T09:00:00Z",
    )


def test_modified_date_is_used_when_no_publication_date_is_stated():
    chosen = choose(
        DateSignal("url", "https://x.org/2020/10/02/a"),
        DateSignal("json_ld_modified", "2020-10-05T10:00:00Z"),
    )
    assert chosen.source == "json_ld_modified"


def test_a_future_date_is_skipped_for_the_next_signal():
    chosen = choose(DateSignal("meta", "2020-10-12T00:00:00Z"), DateSignal("time", "2020-10-04"))
    assert (chosen.source, chosen.published_at) == ("time", at(2020, 10, 4))


def test_a_date_minutes_ahead_is_clock_skew_not_the_future():
    assert choose(DateSignal("meta", "2020-10-10T12:30:00Z")).source == "meta"


def test_a_date_after_the_fetch_is_skipped_when_reprocessing_later():
    chosen = choose(
        DateSignal("meta", "2020-10-09T00:00:00Z"),
        DateSignal("url", "https://x.org/2020/10/04/a"),
        fetched_at=at(2020, 10, 5),
    )
    assert chosen.source == "url"


def test_a_date_before_1990_is_skipped():
    chosen = choose(DateSignal("json_ld", "1970-01-01T00:00:00Z"), DateSignal("time", "2020-10-04"))
    assert chosen.source == "time"


def test_feed_date_is_the_flagged_fallback_when_the_page_has_no_usable_date():
    chosen = choose(
        DateSignal("dateline", "Oct 4"),
        DateSignal("fetch", "2020-10-10T11:00:00Z"),
        DateSignal("listed", "Sun, 04 Oct 2020 14:32:00 GMT"),
    )
    assert (chosen.published_at, chosen.source, chosen.raw, chosen.is_fallback) == (
        at(2020, 10, 4, 14, 32),
        "listed",
        "Sun, 04 Oct 2020 14:32:00 GMT",
        True,
    )


def test_fetch_time_is_the_last_fallback():
    chosen = choose(DateSignal("fetch", "2020-10-10T11:00:00+00:00"))
    assert (chosen.source, chosen.is_fallback) == ("fetch", True)


def test_only_a_future_date_is_a_date_reject_naming_it():
    rejected = choose(DateSignal("meta", "2031-01-01"))
    assert isinstance(rejected, Reject)
    assert (rejected.stage, rejected.reason) == ("date", "date_in_future")
    assert "2031-01-01" in rejected.detail


def test_no_signal_at_all_is_a_date_reject():
    assert choose() == Reject("date", "no_date_signal", None, None)


def choose_in(tz_hint: str, *signals: DateSignal) -> PublishedDate:
    return choose_published(signals, tz_hint=tz_hint, fetched_at=None, earliest=EARLIEST, now=NOW)


def test_a_time_written_with_an_offset_keeps_it_and_its_day_while_published_at_is_utc():
    chosen = choose(DateSignal("meta", "2020-02-15T00:30:00+02:00"))
    assert chosen.published_at == at(2020, 2, 14, 22, 30)
    assert (chosen.utc_offset, chosen.local_date) == (timedelta(hours=2), date(2020, 2, 15))
    assert on_page_clock(chosen).isoformat() == "2020-02-15T00:30:00+02:00"
    assert offset_minutes(chosen.utc_offset) == 120


def test_a_naive_time_runs_on_the_source_clock():
    chosen = choose_in("Europe/Kyiv", DateSignal("time", "2020-10-04 00:30"))
    assert chosen.published_at == at(2020, 10, 3, 21, 30)
    assert (chosen.utc_offset, chosen.local_date) == (timedelta(hours=3), date(2020, 10, 4))


def test_a_utc_time_takes_the_offset_another_signal_writes_for_the_same_instant():
    chosen = choose(
        DateSignal("meta", "2020-09-24T23:59:50+00:00"),
        DateSignal("json_ld", "2020-09-25T01:59:50+02:00"),
    )
    assert (chosen.source, chosen.published_at) == ("meta", at(2020, 9, 24, 23, 59, 50))
    assert (chosen.utc_offset, chosen.local_date) == (timedelta(hours=2), date(2020, 9, 25))


def test_a_utc_time_after_local_midnight_in_the_americas_takes_the_urls_day():
    chosen = choose(
        DateSignal("json_ld", "2020-02-18T02:18:11Z"),
        DateSignal("url", "https://news.example.com/2020/02/17/story/"),
    )
    assert chosen.published_at == at(2020, 2, 18, 2, 18, 11)
    assert (chosen.utc_offset, chosen.local_date) == (None, date(2020, 2, 17))
    assert on_page_clock(chosen) == chosen.published_at


def test_a_utc_evening_time_takes_the_next_day_a_date_only_time_element_states():
    chosen = choose(
        DateSignal("json_ld", "2020-09-05T23:15:0Z"),
        DateSignal("time", "06.09.2020"),
    )
    assert chosen.published_at == at(2020, 9, 5, 23, 15)
    assert chosen.local_date == date(2020, 9, 6)


def test_a_url_dated_the_day_before_a_utc_morning_time_is_the_slugs_day_not_the_pages():
    chosen = choose(
        DateSignal("json_ld", "2020-07-09T10:04:04Z"),
        DateSignal("url", "https://news.example.com/politics/2020/07/08/story/"),
    )
    assert (chosen.utc_offset, chosen.local_date) == (timedelta(0), date(2020, 7, 9))


def test_a_modified_date_on_another_day_never_moves_the_publication_day():
    chosen = choose(
        DateSignal("json_ld", "2020-03-01T23:00:00Z"),
        DateSignal("meta_modified", "2020-03-02"),
    )
    assert chosen.local_date == date(2020, 3, 1)


def test_htmldate_text_search_ranks_below_every_date_the_page_states_as_its_own():
    chosen = choose(
        DateSignal("htmldate_text", "2015-07-21"),
        DateSignal("image_url", "https://cdn.example.com/uploads/2020/07/11/lead.jpg"),
        DateSignal("dateline", "2020年07月12日"),
    )
    assert (chosen.source, chosen.local_date) == ("dateline", date(2020, 7, 12))


def test_the_lead_images_upload_day_beats_a_date_found_only_in_the_text():
    chosen = choose(
        DateSignal("htmldate_text", "2015-07-21"),
        DateSignal("image_url", "/uploads/2020/09/13/news/153257/lead.jpg"),
    )
    assert (chosen.source, chosen.local_date) == ("image_url", date(2020, 9, 13))


def test_a_utc_time_with_nothing_else_dated_runs_on_the_clock_the_site_prints_times_in():
    chosen = choose(
        DateSignal("meta", "2020-05-02T02:54:29.000Z"),
        DateSignal("site_offset", "-04:00"),
    )
    assert chosen.published_at == at(2020, 5, 2, 2, 54, 29)
    assert (chosen.utc_offset, chosen.local_date) == (timedelta(hours=-4), date(2020, 5, 1))


def test_the_sites_clock_is_never_a_publication_date():
    assert choose(DateSignal("site_offset", "+02:00")) == Reject(
        "date", "no_date_signal", None, None
    )


def test_the_pages_own_day_outranks_the_sites_clock():
    chosen = choose(
        DateSignal("json_ld", "2020-07-09T02:00:00Z"),
        DateSignal("url", "https://news.example.com/2020/07/09/story"),
        DateSignal("site_offset", "-04:00"),
    )
    assert (chosen.utc_offset, chosen.local_date) == (timedelta(0), date(2020, 7, 9))


def test_a_utc_time_runs_on_the_zone_configured_for_the_source_before_the_sites_printed_clock():
    chosen = choose_in(
        "America/Toronto",
        DateSignal("json_ld", "2020-08-25T00:23:33.312Z"),
        DateSignal("site_offset", "+01:00"),
    )
    assert (chosen.utc_offset, chosen.local_date) == (timedelta(hours=-4), date(2020, 8, 24))
