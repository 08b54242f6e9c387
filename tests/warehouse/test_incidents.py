"""Incidents in DuckDB: the schema's rules, idempotent upserts, pending articles, summaries."""

from dataclasses import replace
from datetime import UTC, date, datetime

import duckdb
import pytest

from tasks.incidents.merge import Report, incident_row, mention_row, merge_all
from tasks.incidents.model import EVENT_TYPES, Casualties, Incident, Mention
from warehouse import incidents as store
from warehouse.db import connect

DAY = date(2020, 10, 4)
PUBLISHED = datetime(2020, 10, 4, 9, tzinfo=UTC)
ONE_KILLED = Casualties(1, 1, 1)


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def shelling(
    place: str = "Ganja", geonameid: int = 587084, killed=ONE_KILLED, **changes
) -> Incident:
    incident = Incident(
        "Explosions/Remote violence", "Shelling/artillery/missile attack", DAY, DAY, DAY, 1,
        "Sunday", place, "Aran", "AZE", 40.68, 46.36, geonameid, 1, "Military Forces of Armenia",
        None, killed=killed,
        mentions=(Mention(f"Armenian forces shelled {place}.", 0, 30, killed),),
    )  # fmt: skip
    return replace(incident, **changes)


def report(incident: Incident, article_id: str, source_id: str = "wire") -> Report:
    return Report(
        incident, article_id, source_id, f"https://{source_id}.test/{article_id}", PUBLISHED
    )


def store_reports(con, reports: list[Report], run_id: str = "run-1") -> tuple[int, int]:
    rows = [mention_row(r, run_id, "v1") for r in reports]
    touched = store.replace_mentions(con, sorted({r.article_id for r in reports}), rows)
    merged = [incident_row(m, run_id) for m in merge_all(reports)]
    return store.upsert_incidents(con, merged, touched)


def add_article(con, article_id: str, published: datetime = PUBLISHED, source_id: str = "wire"):
    con.execute(
        "INSERT INTO articles VALUES (?, ?, ?, ?, 'r', NULL, 'body', NULL, 'en', ?, 'meta', NULL,"
        " false, 1, ?, ?, ?, NULL, NULL)",
        [article_id, f"https://{source_id}.test/{article_id}", f"https://{source_id}.test/"
         f"{article_id}", source_id, published, article_id, published, published],
    )  # fmt: skip


def test_the_event_type_table_is_acleds_vocabulary_from_the_model(con):
    rows = con.execute("SELECT event_type, sub_event_type FROM event_types").fetchall()
    assert sorted(rows) == sorted((t, s) for t, subs in EVENT_TYPES.items() for s in subs)


def test_the_schema_rejects_an_event_type_acled_does_not_have(con):
    row = incident_row(merge_all([report(shelling(), "a")])[0], "run-1")
    bad = {**row, "sub_event_type": "Air strike"}
    with pytest.raises(duckdb.ConstraintException, match="foreign key"):
        store.upsert_incidents(con, [bad], [])


@pytest.mark.parametrize(
    ("column", "value"),
    [("claim_status", "rumoured"), ("killed_best", 0), ("country", "AZ"), ("time_precision", 9)],
)
def test_the_schema_rejects_impossible_values(con, column, value):
    row = incident_row(merge_all([report(shelling(killed=Casualties(2, 3, 5)), "a")])[0], "r")
    with pytest.raises(duckdb.ConstraintException):
        store.upsert_incidents(con, [{**row, column: value}], [])


def test_storing_the_same_reports_again_changes_no_row(con):
    reports = [report(shelling(), "a"), report(shelling(), "b", "daily")]
    assert store_reports(con, reports) == (1, 0)
    before = con.execute("SELECT * FROM incidents").fetchall()
    assert store_reports(con, reports, run_id="run-2") == (0, 0)
    assert con.execute("SELECT * FROM incidents").fetchall() == before
    # last_updated_run stays with the run that changed it
    assert con.execute("SELECT last_updated_run FROM incidents").fetchone()[0] == "run-1"


def test_an_article_that_no_longer_reports_an_incident_stops_supporting_it(con):
    store_reports(con, [report(shelling(), "a"), report(shelling("Tartar", 585221), "a")])
    assert store_reports(con, [report(shelling(), "a")], run_id="run-2") == (0, 1)
    assert con.execute("SELECT location FROM incidents").fetchall() == [("Ganja",)]


def test_the_daily_summary_sums_figures_and_counts_sources(con):
    store_reports(con, [
        report(shelling(killed=Casualties(2, 3, 5)), "a"),
        report(shelling(killed=Casualties(2, 3, 5)), "b", "daily"),
        report(shelling("Tartar", 585221, killed=Casualties(0, 0, 0)), "c"),
        report(shelling("Barda", 587207, killed=Casualties()), "d"),
        report(shelling("Barda", 587207, claim_status="disputed", claimed_by="Baku",
                        denied_by="Yerevan"), "e"),
    ])  # fmt: skip
    assert store.rebuild_daily_summary(con, [DAY]) == 1
    row = con.execute(
        "SELECT incidents, incidents_with_fatalities, killed_low, killed_best, killed_high, "
        "sources, articles, top_locations FROM daily_summary"
    ).fetchone()
    # Barda's report and Barda's disputed claim are one (disputed) incident
    assert row == (3, 2, 3, 4, 6, 2, 5, ["Barda", "Ganja", "Tartar"])


def test_the_daily_summary_counts_denied_and_disputed_as_contested_and_flags_loose_dates(con):
    store_reports(con, [
        report(shelling(), "a"),
        report(shelling("Tartar", 585221, claim_status="denied", denied_by="Yerevan"), "b"),
        report(shelling("Barda", 587207, claim_status="disputed", claimed_by="Baku",
                        denied_by="Yerevan"), "c"),
        report(shelling("Fuzuli", 148444, time_precision=2, date_basis="this week"), "d"),
        report(shelling("Horadiz", 148736, time_precision=3, date_basis="in October"), "e"),
    ])  # fmt: skip
    store.rebuild_daily_summary(con, [DAY])
    assert con.execute(
        "SELECT incidents, contested, imprecise_incidents FROM daily_summary"
    ).fetchone() == (5, 2, 2)


def test_mentions_check_every_column_they_share_with_incidents_alike(con):
    def checks(table: str) -> set[str]:
        rows = con.execute(
            "SELECT expression FROM duckdb_constraints() "
            "WHERE table_name = $table AND constraint_type = 'CHECK'",
            {"table": table},
        ).fetchall()
        return {expression for (expression,) in rows}

    def columns(table: str) -> set[tuple[str, str]]:
        return set(con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = $table", {"table": table}).fetchall())  # fmt: skip

    shared = columns("incidents") & columns("incident_mentions")
    assert {name for name, _ in shared} >= {"latitude", "longitude", "killed_high", "date_end"}
    merged_only = {e for e in checks("incidents") if "num_" in e}
    assert checks("incidents") - merged_only == checks("incident_mentions")


def test_a_mention_placed_off_the_globe_is_refused(con):
    with pytest.raises(duckdb.ConstraintException, match="latitude"):
        store.replace_mentions(
            con, ["a"], [mention_row(report(shelling(latitude=95.0), "a"), "run-1", "v1")]
        )


def test_rebuilding_a_summary_replaces_the_day_instead_of_adding_to_it(con):
    store_reports(con, [report(shelling(), "a")])
    store.rebuild_daily_summary(con, [DAY])
    store.rebuild_daily_summary(con, [DAY])
    assert con.execute("SELECT count(*), sum(incidents) FROM daily_summary").fetchone() == (1, 1)


def test_articles_are_due_until_this_extractor_version_reads_them(con):
    add_article(con, "a")
    add_article(con, "b", datetime(2020, 10, 6, 9, tzinfo=UTC))
    due = [r["article_id"] for r in store.pending_articles(con, "v1", limit=10)]
    assert due == ["a", "b"]
    store.record_extractions(con, "run-1", "v1", {"a": 1}, ["b"])
    assert store.pending_articles(con, "v1", limit=10) == []
    assert [r["article_id"] for r in store.pending_articles(con, "v2", limit=10)] == ["a", "b"]
    assert len(store.pending_articles(con, "v1", limit=10, force=True)) == 2
    window = store.pending_articles(con, "v2", limit=10, since=DAY, until=DAY)
    assert [r["article_id"] for r in window] == ["a"]
    assert [r["article_id"] for r in store.pending_articles(con, "v2", after="a", limit=1)] == ["b"]


def test_pending_articles_are_noticed_with_a_single_row_lookup(con):
    assert not store.has_pending_articles(con, "v1")
    add_article(con, "a")
    assert store.has_pending_articles(con, "v1")
    store.record_extractions(con, "run-1", "v1", {"a": 0}, [])
    assert not store.has_pending_articles(con, "v1")
    assert store.has_pending_articles(con, "v2")


def test_mentions_and_evidence_of_incidents_come_earliest_article_first(con):
    store_reports(con, [report(shelling(), "b", "daily"), report(shelling(), "a"),
                        report(shelling("Tartar", 585221), "c")])  # fmt: skip
    (ganja,) = {m.incident_id for m in merge_all([report(shelling(), "a")])}
    assert [m["article_id"] for m in store.mentions_of(con, [ganja])] == ["a", "b"]
    evidence = store.evidence_of(con, [ganja])
    assert [(e["article_id"], e["sentence"]) for e in evidence] == [
        ("a", "Armenian forces shelled Ganja."),
        ("b", "Armenian forces shelled Ganja."),
    ]


def test_an_article_folded_into_another_story_stops_counting_as_evidence(con):
    add_article(con, "a")
    add_article(con, "b")
    store_reports(con, [report(shelling(), "a"), report(shelling(), "b")])
    con.execute(
        "INSERT INTO article_duplicates VALUES ('https://wire.test/b', 'b', 'a', 'near', 0.9, "
        "'r', now())"
    )
    touched = store.retract_copies(con)
    assert set(touched.values()) == {DAY}
    assert con.execute("SELECT article_id FROM incident_mentions").fetchall() == [("a",)]
