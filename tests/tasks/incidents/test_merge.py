"""Merging many articles' reports of one event into one incident."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from tasks.incidents.extract import extract_incidents
from tasks.incidents.merge import (
    Article,
    Report,
    combine_casualties,
    extract_reports,
    extractor_version,
    incident_id,
    incident_row,
    mention_row,
    merge_all,
    merge_reports,
    ordered_range,
    report_from_row,
)
from tasks.incidents.model import Casualties, Incident, Mention
from tests.tasks.incidents.conftest import READER

DAY = date(2020, 10, 4)


def ganja(**changes) -> Incident:
    base = Incident(
        "Explosions/Remote violence", "Shelling/artillery/missile attack", DAY, DAY, DAY, 1,
        "Sunday", "Ganja", "Ganja", "AZE", 40.68, 46.36, 587084, 1,
        "Military Forces of Armenia", "Civilians (Azerbaijan)",
        killed=Casualties(1, 1, 1), injured=Casualties(4, 4, None),
        mentions=(Mention("Armenian forces shelled Ganja, killing one civilian.", 0, 52,
                          Casualties(1, 1, 1)),),
    )  # fmt: skip
    return replace(base, **changes)


def report(article: str, hour: int, source: str = "wire", **changes) -> Report:
    return Report(
        ganja(**changes),
        article,
        source,
        f"https://{source}.test/{article}",
        datetime(2020, 10, 4, hour, tzinfo=UTC),
    )


def test_the_latest_best_figure_wins_and_the_range_spans_every_report():
    merged = merge_reports([
        report("a", 9, killed=Casualties(1, 1, 1)),
        report("b", 15, killed=Casualties(3, 3, None)),
        report("c", 12, killed=Casualties(None, None, 10)),
    ]).incident  # fmt: skip
    assert merged.killed == Casualties(low=1, best=3, high=10)


def test_reports_at_the_same_time_give_the_most_common_best_then_the_larger():
    at = datetime(2020, 10, 4, 9, tzinfo=UTC)
    assert combine_casualties([(at, Casualties(best=2)), (at, Casualties(best=5)),
                               (at, Casualties(best=2))]).best == 2  # fmt: skip
    assert combine_casualties([(at, Casualties(best=2)), (at, Casualties(best=5))]).best == 5


def test_an_article_reporting_none_killed_is_a_zero_not_a_missing_figure():
    merged = combine_casualties([
        (datetime(2020, 10, 4, 9, tzinfo=UTC), Casualties(0, 0, 0)),
        (datetime(2020, 10, 4, 10, tzinfo=UTC), Casualties()),
    ])  # fmt: skip
    assert merged == Casualties(0, 0, 0)
    assert combine_casualties([(datetime(2020, 10, 4, tzinfo=UTC), Casualties())]) == Casualties()


def test_a_report_whose_best_is_below_its_low_still_merges_into_an_ordered_range():
    at = datetime(2020, 10, 4, 9, tzinfo=UTC)
    assert combine_casualties([(at, Casualties(10, 5, 10))]) == Casualties(5, 5, 10)
    assert combine_casualties([(at, Casualties(10, 10, 5))]) == Casualties(10, 10, 10)


def test_an_unordered_range_is_clamped_to_figures_the_text_gave():
    assert ordered_range(Casualties(10, 5, 10)) == Casualties(5, 5, 10)
    assert ordered_range(Casualties(10, 10, 5)) == Casualties(10, 10, 10)
    assert ordered_range(Casualties(10, None, 5)) == Casualties(10, None, 10)
    assert ordered_range(Casualties(4, 4, None)) == Casualties(4, 4, None)


def test_mention_rows_order_every_range_even_when_the_extractor_did_not():
    mentions = (Mention("Ten were killed, five say others.", 0, 33, Casualties(10, 5, 10)),)
    row = mention_row(report("a", 9, killed=Casualties(10, 10, 5), mentions=mentions), "r", "v")
    assert (row["killed_low"], row["killed_best"], row["killed_high"]) == (10, 10, 10)
    (sentence,) = row["sentences"]
    assert (sentence["killed_low"], sentence["killed_best"], sentence["killed_high"]) == (5, 5, 10)


def test_claimed_by_one_side_and_denied_by_the_other_is_disputed():
    merged = merge_reports([
        report("a", 9, claim_status="denied", denied_by="Armenia"),
        report("b", 10, claim_status="disputed", claimed_by="Azerbaijan's Defence Ministry",
               denied_by="Armenia's Defence Ministry"),
    ]).incident  # fmt: skip
    assert merged.claim_status == "disputed"
    assert merged.claimed_by == "Azerbaijan's Defence Ministry"
    assert merged.denied_by == "Armenia; Armenia's Defence Ministry"


def test_a_denial_stays_contested_even_when_the_denier_is_not_named():
    merged = merge_reports([report("a", 9, claim_status="denied"),
                            report("b", 10, claim_status="denied")])  # fmt: skip
    assert merged.incident.claim_status == "denied"
    assert merged.incident_id == incident_id(ganja(claim_status="denied").incident_key)


def test_an_accusation_in_one_article_and_a_denial_in_another_are_one_disputed_incident():
    (merged,) = merge_all(
        [
            report("a", 9, claimed_by="Baku", claim_status="claimed"),
            report("b", 10, denied_by="Yerevan", claim_status="denied"),
        ]
    )
    assert merged.incident.claim_status == "disputed"
    assert (merged.incident.claimed_by, merged.incident.denied_by) == ("Baku", "Yerevan")
    assert merged.incident.killed.best is not None and merged.num_articles == 2


def test_a_side_claiming_its_own_strike_stays_apart_from_reports_of_the_attack():
    merged = merge_all(
        [
            report("a", 9, claimed_by="Azerbaijan's Defence Ministry", claim_status="claimed"),
            report("b", 10, claimed_by="Armenian soldiers", denied_by="Baku",
                   claim_status="disputed", claimed_by_actor1=True),
        ]
    )  # fmt: skip
    assert sorted(m.incident.claim_status for m in merged) == ["claimed", "disputed"]


def test_claims_alone_stay_claimed_and_unattributed_reports_stay_reported():
    assert merge_reports([report("a", 9), report("b", 10)]).incident.claim_status == "reported"
    merged = merge_reports([report("a", 9), report("b", 10, claimed_by="Baku")]).incident
    assert (merged.claim_status, merged.claimed_by) == ("claimed", "Baku")


def test_articles_and_sources_are_counted_once_each():
    merged = merge_reports([report("a", 9, "wire"), report("b", 10, "wire"),
                            report("c", 11, "daily")])  # fmt: skip
    assert (merged.num_articles, merged.num_sources) == (3, 2)
    assert merged.first_reported_at == datetime(2020, 10, 4, 9, tzinfo=UTC)
    assert len(merged.incident.mentions) == 3


def test_dates_come_from_the_most_precise_report_and_actors_from_the_most_named():
    merged = merge_reports([
        report("a", 9, time_precision=2, date_basis="this week", actor1="Armenian forces"),
        report("b", 10, date_basis="Later on Sunday"),
        report("c", 11, actor1="Armenian forces"),
    ]).incident  # fmt: skip
    assert merged.date_basis == "Later on Sunday" and merged.time_precision == 1
    assert merged.actor1 == "Armenian forces"


def test_the_incident_id_is_the_hash_of_the_key_whichever_article_came_first():
    one = merge_reports([report("a", 9), report("b", 10)])
    other = merge_reports([report("b", 10)])
    assert one.incident_id == other.incident_id == incident_id(ganja().incident_key)
    assert len(one.incident_id) == 16


def test_the_incident_id_comes_from_the_reports_key_even_when_merging_makes_it_disputed():
    claimed = report("a", 9, claim_status="claimed", claimed_by="Baku", denied_by="Yerevan")
    merged = merge_reports([claimed])
    assert merged.incident.claim_status == "disputed"
    assert merged.incident_key == claimed.incident.incident_key
    assert merged.incident_id == incident_id(claimed.incident.incident_key)
    row = incident_row(merged, "run-1")
    assert (row["incident_id"], row["incident_key"]) == (merged.incident_id, merged.incident_key)


def test_reports_of_different_events_are_not_merged():
    merged = merge_all([report("a", 9), report("b", 9, location="Tartar", geonameid=585221)])
    assert len(merged) == 2
    with pytest.raises(ValueError, match="one incident"):
        merge_reports([report("a", 9), report("b", 9, event_date=date(2020, 10, 3),
                                               date_start=date(2020, 10, 3),
                                               date_end=date(2020, 10, 3))])  # fmt: skip


def test_a_stored_mention_row_reads_back_as_the_same_report():
    original = report("a", 9, claimed_by="Baku", claim_status="claimed")
    assert report_from_row(mention_row(original, "run-1", "v1")) == replace(
        original,
        incident=replace(original.incident, mentions=tuple(
            replace(m, article_id="a", url=original.url, source="wire")
            for m in original.incident.mentions)),
    )  # fmt: skip


def test_the_incident_row_carries_the_merged_figures_and_counts():
    row = incident_row(merge_reports([report("a", 9), report("b", 10, "daily")]), "run-1")
    assert (row["killed_best"], row["injured_low"], row["injured_high"]) == (1, 4, 4)
    assert (row["num_articles"], row["num_sources"], row["last_updated_run"]) == (2, 2, "run-1")


def article(article_id: str, body: str) -> Article:
    return Article(
        article_id,
        f"https://wire.test/{article_id}",
        "wire",
        body,
        datetime(2020, 10, 4, 9, tzinfo=UTC),
        "Asia/Baku",
    )


def test_an_article_whose_extraction_raises_is_a_reject_and_the_others_go_on():
    def extract(text, published_at, *, reader, timezone, source):
        if "boom" in text:
            raise RuntimeError("boom")
        return [ganja()]

    batch = extract_reports([article("a", "fine"), article("b", "boom"), article("c", "ok")],
                            READER, extract)  # fmt: skip
    assert batch.incidents_per_article == {"a": 1, "c": 1}
    assert batch.failed == ["b"]
    (reject,) = batch.rejects
    assert (reject.stage, reject.reason, reject.url) == (
        "incidents",
        "extract_failed",
        "https://wire.test/b",
    )
    assert [m.article_id for r in batch.reports for m in r.incident.mentions] == ["a", "c"]


def test_one_article_naming_an_event_twice_gives_one_report_with_both_claimants():
    def extract(text, published_at, *, reader, timezone, source):
        return [ganja(claimed_by="Baku", claim_status="claimed"),
                ganja(claimed_by="the ministry", claim_status="claimed")]  # fmt: skip

    batch = extract_reports([article("a", "text")], READER, extract)
    (only,) = batch.reports
    assert only.incident.claimed_by == "Baku; the ministry"
    assert len(only.incident.mentions) == 2
    assert batch.incidents_per_article == {"a": 1}


def test_the_extractor_version_changes_when_a_lexicon_changes(tmp_path):
    (tmp_path / "lexicons").mkdir()
    lexicon = tmp_path / "lexicons" / "events.yaml"
    lexicon.write_text("shelled: strong\n")
    before = extractor_version(tmp_path)
    assert extractor_version(tmp_path) == before
    lexicon.write_text("shelled: weak\n")
    assert extractor_version(tmp_path) != before


def test_an_accusation_and_a_denial_read_from_two_articles_merge_into_one_disputed_incident():
    published = datetime(2020, 10, 4, 12, tzinfo=UTC)
    accusation = (
        "Azerbaijan's Defence Ministry said Armenian forces shelled Ganja on Sunday, "
        "killing one civilian."
    )
    denial = "Armenia's Defence Ministry denied that its forces had shelled Ganja on Sunday."
    reports = [
        Report(
            extract_incidents(text, published, reader=READER)[0],
            name,
            name,
            f"https://{name}.test",
            published,
        )
        for name, text in (("wire", accusation), ("daily", denial))
    ]
    (merged,) = merge_all(reports)
    assert merged.incident.claim_status == "disputed"
    assert merged.incident.killed == Casualties(1, 1, 1)
    assert (merged.num_articles, merged.num_sources) == (2, 2)
