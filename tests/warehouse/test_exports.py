"""Exports on a real DuckDB file: every format read back by its own reader, the filters, and the
ACLED profile's column names and codes."""

import csv
import json
from dataclasses import replace
from datetime import UTC, date, datetime

import duckdb
import pyarrow.parquet as pq
import pytest

from tasks.incidents.merge import Report, incident_row, mention_row, merge_all
from tasks.incidents.model import EVENT_TYPES, Casualties, Incident, Mention
from tests.shared_data import require_eval
from warehouse import incidents as store
from warehouse.db import connect
from warehouse.export_files import ExportFormat, write_export
from warehouse.exports import Dataset, IncidentFilter, SubEventTypeNotSummarised, export_relation

DAY = date(2020, 10, 4)
PUBLISHED = datetime(2020, 10, 4, 9, tzinfo=UTC)
# Evidence as pages print it: quotes, commas and a line break, all of which CSV must quote.
QUOTED = 'Baku said: "Armenian forces shelled Ganja, killing one",\nand four were hurt.'
ACLED_COLUMNS = [
    "incident_id", "event_date", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "inter1", "actor2", "inter2", "interaction",
    "civilian_targeting", "country", "admin1", "admin2", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "iso3",
]  # fmt: skip


def incident(sub_event_type: str = "Shelling/artillery/missile attack", **changes) -> Incident:
    event_type = next(t for t, subs in EVENT_TYPES.items() if sub_event_type in subs)
    return replace(
        Incident(
            event_type, sub_event_type, DAY, DAY, DAY, 1, "on Sunday", "Ganja", "Ganja City",
            "AZE", 40.68, 46.36, 587084, 1, "Military Forces of Armenia", "Civilians (Azerbaijan)",
            killed=Casualties(1, 1, 1), injured=Casualties(4, 4, None),
            claim_status="claimed", claimed_by="Azerbaijan",
            mentions=(Mention(QUOTED, 0, len(QUOTED), Casualties(1, 1, 1)),),
        ),
        **changes,
    )  # fmt: skip


def store_incidents(con, *incidents: Incident, source_id: str = "wire") -> None:
    reports = [
        Report(i, f"a{n}", source_id, f"https://www.{source_id}.test/{n}", PUBLISHED)
        for n, i in enumerate(incidents)
    ]
    rows = [mention_row(r, "run-1", "v1") for r in reports]
    store.replace_mentions(con, [r.article_id for r in reports], rows)
    store.upsert_incidents(con, [incident_row(m, "run-1") for m in merge_all(reports)], [])


@pytest.fixture
def con(tmp_path):
    connection = connect(tmp_path / "news.duckdb")
    connection.execute(
        "INSERT INTO sources VALUES ('wire', 'Example Wire', 'feed', 'https://wire.test/rss', "
        "'UTC', true, '{}', now()), ('saved', 'Saved pages', 'archive', 'pages', 'UTC', true, "
        "'{}', now())"
    )
    yield connection
    connection.close()


EVERYTHING = IncidentFilter()


def export(con, tmp_path, fmt, dataset=Dataset.INCIDENTS, keep=EVERYTHING, acled=False):
    out = tmp_path / f"out.{fmt}"
    written = write_export(export_relation(con, dataset, keep, acled=acled), fmt, out)
    assert written.path == out and not list(tmp_path.glob(".*partial"))
    return written


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_csv_quotes_evidence_with_quotes_commas_and_line_breaks(con, tmp_path):
    store_incidents(con, incident())
    written = export(con, tmp_path, ExportFormat.CSV)
    [row] = read_csv(written.path)
    assert written.rows == 1
    assert row["evidence"] == QUOTED
    assert row["country"] == "AZE" and row["country_name"] == "Azerbaijan"
    assert (row["killed_best"], row["injured_high"], row["sources"]) == ("1", "4", "Example Wire")


def test_csv_writes_a_missing_figure_as_an_empty_field_and_zero_as_zero(con, tmp_path):
    store_incidents(con, incident(killed=Casualties(0, 0, 0), injured=Casualties()))
    [row] = read_csv(export(con, tmp_path, ExportFormat.CSV).path)
    assert row["killed_low"] == "0" and row["injured_low"] == ""


def test_parquet_keeps_the_column_types(con, tmp_path):
    store_incidents(con, incident())
    table = pq.read_table(export(con, tmp_path, ExportFormat.PARQUET).path)
    [row] = table.to_pylist()
    assert row["event_date"] == DAY and row["latitude"] == 40.68 and row["killed_low"] == 1
    assert row["evidence"] == QUOTED


def test_jsonl_is_one_object_per_incident_with_iso_dates(con, tmp_path):
    store_incidents(con, incident(), incident("Air/drone strike"))
    lines = export(con, tmp_path, ExportFormat.JSONL).path.read_text(encoding="utf-8")
    rows = [json.loads(line) for line in lines.splitlines()]
    assert len(rows) == 2 and {r["event_date"] for r in rows} == {"2020-10-04"}
    assert rows[0]["first_reported_at"] == "2020-10-04T09:00:00+00:00"


def test_geojson_points_are_lon_lat_and_unplaced_incidents_are_counted_not_drawn(con, tmp_path):
    unplaced = incident(location=None, admin1=None, latitude=None, longitude=None, geonameid=None)
    store_incidents(con, incident(), replace(unplaced, geo_precision=3))
    written = export(con, tmp_path, ExportFormat.GEOJSON)
    collection = json.loads(written.path.read_text(encoding="utf-8"))
    assert (written.rows, written.left_out) == (1, 1)
    [feature] = collection["features"]
    assert collection["type"] == "FeatureCollection" and feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [46.36, 40.68]}
    assert feature["properties"]["location"] == "Ganja"
    assert feature["properties"]["evidence"] == QUOTED
    assert "latitude" not in feature["properties"]


def test_the_acled_profile_has_acleds_columns_and_leaves_what_we_do_not_code_empty(con, tmp_path):
    store_incidents(con, incident())
    written = export(con, tmp_path, ExportFormat.CSV, acled=True)
    with written.path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    [row] = read_csv(written.path)
    assert header == ACLED_COLUMNS
    assert row["country"] == "Azerbaijan" and row["iso3"] == "AZE"
    assert row["disorder_type"] == "Political violence" and row["notes"] == QUOTED
    assert row["fatalities"] == "1" and row["source"] == "Example Wire"
    for unknown in ("inter1", "inter2", "interaction", "admin2", "source_scale"):
        assert row[unknown] == "", unknown


def test_the_acled_columns_come_in_the_order_of_acleds_own_export():
    acled = require_eval("acled-dev") / "acled-2020-dev.csv"
    with acled.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    shared = [column for column in ACLED_COLUMNS if column in header]
    assert shared == [column for column in header if column in ACLED_COLUMNS]
    # Columns ACLED added after this 2020 file (disorder_type, civilian_targeting) and our id.
    assert set(ACLED_COLUMNS) - set(header) == {
        "incident_id", "disorder_type", "civilian_targeting"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("sub_event_type", "disorder_type", "civilian_targeting"),
    [
        ("Armed clash", "Political violence", None),
        ("Air/drone strike", "Political violence", None),
        ("Attack", "Political violence", "Civilian targeting"),
        ("Peaceful protest", "Demonstrations", None),
        ("Excessive force against protesters", "Political violence; Demonstrations",
         "Civilian targeting"),
        ("Violent demonstration", "Demonstrations", None),
        ("Mob violence", "Political violence", None),
        ("Agreement", "Strategic developments", None),
    ],
)  # fmt: skip
def test_the_acled_profile_derives_disorder_type_and_civilian_targeting_as_acled_defines_them(
    con, sub_event_type, disorder_type, civilian_targeting
):
    store_incidents(con, incident(sub_event_type))
    relation = export_relation(con, Dataset.INCIDENTS, IncidentFilter(), acled=True)
    [(disorder, targeting)] = relation.project("disorder_type, civilian_targeting").fetchall()
    assert (disorder, targeting) == (disorder_type, civilian_targeting)


def test_an_archive_sources_outlet_is_the_pages_host(con):
    store_incidents(con, incident(), source_id="saved")
    [(sources,)] = (
        export_relation(con, Dataset.INCIDENTS, IncidentFilter()).project("sources").fetchall()
    )
    assert sources == "saved.test"


@pytest.mark.parametrize(
    ("keep", "locations"),
    [
        (IncidentFilter(), ["Ganja", "Stepanakert", "Donetsk"]),
        (IncidentFilter(country="UKR"), ["Donetsk"]),
        (IncidentFilter(admin1="ganja city"), ["Ganja"]),
        (IncidentFilter(event_type="Battles"), ["Stepanakert"]),
        (IncidentFilter(sub_event_type="Shelling/artillery/missile attack"), ["Ganja", "Donetsk"]),
        (IncidentFilter(since=date(2020, 10, 5)), ["Donetsk"]),
        (IncidentFilter(until=date(2020, 10, 5)), ["Ganja", "Stepanakert"]),
    ],
)
def test_filters_select_incidents_by_day_place_and_type(con, keep, locations):
    store_incidents(
        con,
        incident(),
        incident("Armed clash", location="Stepanakert", geonameid=174875, admin1="Xankandi"),
        incident(
            location="Donetsk", admin1="Donetsk", country="UKR", geonameid=709717,
            event_date=date(2020, 10, 6), date_start=date(2020, 10, 6), date_end=date(2020, 10, 6),
        ),
    )  # fmt: skip
    relation = export_relation(con, Dataset.INCIDENTS, keep)
    assert sorted(r[0] for r in relation.project("location").fetchall()) == sorted(locations)


def test_daily_summaries_cannot_be_selected_by_a_sub_event_type(con):
    with pytest.raises(SubEventTypeNotSummarised):
        export_relation(con, Dataset.DAILY, IncidentFilter(sub_event_type="Grenade"))


def test_daily_csv_joins_top_locations_since_csv_has_no_lists(con, tmp_path):
    store_incidents(con, incident(), incident("Air/drone strike", location="Ganja"))
    store.rebuild_daily_summary(con, [DAY])
    [row] = read_csv(export(con, tmp_path, ExportFormat.CSV, Dataset.DAILY).path)
    assert row["top_locations"] == "Ganja" and row["incidents"] == "2"
    assert row["country_name"] == "Azerbaijan"


def test_a_failed_export_leaves_no_file_and_no_partial_file(con, tmp_path):
    out = tmp_path / "daily.geojson"
    with pytest.raises(ValueError, match="latitude"):
        write_export(
            export_relation(con, Dataset.DAILY, IncidentFilter()), ExportFormat.GEOJSON, out
        )
    assert not out.exists() and not list(tmp_path.glob(".*partial"))


def test_exports_read_a_read_only_snapshot(con, tmp_path):
    store_incidents(con, incident())
    con.close()
    snapshot = duckdb.connect(str(tmp_path / "news.duckdb"), read_only=True)
    try:
        assert export(snapshot, tmp_path, ExportFormat.PARQUET).rows == 1
    finally:
        snapshot.close()
