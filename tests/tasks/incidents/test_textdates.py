from datetime import UTC, date, datetime

import pytest

from tasks.incidents.textdates import find_date, local_day

from .conftest import LABELLED


@pytest.mark.parametrize("case", LABELLED["dates"], ids=lambda c: c["text"])
def test_labelled_date_phrase_resolves_against_publication_day(case):
    found = find_date(case["text"], case["published"])
    assert found is not None
    assert found.event_date == case["date"]
    assert found.date_end == case.get("end", case["date"])
    assert found.time_precision == case["precision"]
    if "basis" in case:
        assert found.date_basis == case["basis"]


def test_weekday_in_sunday_article_means_that_sunday_not_a_week_before():
    assert find_date("on Sunday", date(2020, 10, 4)).event_date == date(2020, 10, 4)


def test_sentence_without_date_phrase_has_no_date_of_its_own():
    assert find_date("Armenian forces shelled Ganja.", date(2020, 10, 4)) is None


def test_publication_day_is_taken_in_the_sources_timezone():
    late_utc = datetime(2020, 10, 3, 22, 30, tzinfo=UTC)
    assert local_day(late_utc, "Asia/Baku") == date(2020, 10, 4)
    assert local_day(late_utc) == date(2020, 10, 3)


def test_a_weekday_alone_dates_the_sentence():
    found = find_date("Militants attacked the checkpoint on Tuesday night.", date(2020, 10, 4))
    assert found.event_date == date(2020, 9, 29)


def test_the_phrase_that_starts_first_dates_the_sentence_whichever_rule_reads_it():
    found = find_date("Yesterday the town was shelled again, as on 1 October.", date(2020, 10, 4))
    assert found.event_date == date(2020, 10, 3)


def test_an_impossible_day_gives_way_to_the_next_date_phrase():
    found = find_date("Shelling on 31 February 2020 and on 2 March 2020.", date(2020, 3, 5))
    assert found.event_date == date(2020, 3, 2)


def test_29_february_before_it_comes_in_a_leap_year_is_no_date_and_no_crash():
    """Last year had no 29 February, so the phrase cannot date news published before it."""
    assert find_date("The attack on 29 February killed two.", date(2020, 2, 10)) is None
    assert find_date("The attack on 29 February killed two.", date(2020, 3, 2)).date_start == date(
        2020, 2, 29
    )
