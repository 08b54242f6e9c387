"""`newsdesk export` and `newsdesk incidents list` on the database the bundled sample builds, each
file read back with a real reader (csv, pyarrow, DuckDB, json)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flows.cli import app

pytestmark = pytest.mark.usefixtures("prefect_harness")


def newsdesk(*args: str):
    return CliRunner().invoke(app, list(args))


def export(sample_db: Path, out: Path, *args: str):
    result = newsdesk("export", *args, "--out", str(out), "--db", str(sample_db))
    assert result.exit_code == 0, result.output
    return result


def scalar(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_incidents_csv_has_every_incident_with_names_outlets_and_quoted_evidence(
    sample_db, tmp_path
):
    out = tmp_path / "incidents.csv"
    result = export(sample_db, out, "incidents", "--format", "csv")
    rows = read_csv(out)
    assert len(rows) == scalar(sample_db, "SELECT count(*) FROM incidents") == 35
    assert f"{out}: 35 incidents rows (csv)" in result.stdout
    ganja = [r for r in rows if r["location"] == "Ganja" and r["killed_best"] == "1"]
    assert ganja and ganja[0]["country_name"] == "Azerbaijan" and ganja[0]["injured_low"] == "4"
    quoted = [r for r in rows if '"Armenian forces struck Ganja with rockets' in r["evidence"]]
    assert quoted and all(r["sources"] for r in rows)


def test_parquet_reads_back_with_pyarrow_and_duckdb(sample_db, tmp_path):
    out = tmp_path / "incidents.parquet"
    export(sample_db, out, "incidents", "--format", "parquet", "--country", "Ukraine")
    table = pq.read_table(out)
    assert set(table.column("country").to_pylist()) == {"UKR"}
    assert table.num_rows == scalar(sample_db, "SELECT count(*) FROM incidents WHERE country='UKR'")
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}')").fetchall() == [
        (table.num_rows,)
    ]


def test_geojson_draws_placed_incidents_and_says_how_many_it_left_out(sample_db, tmp_path):
    out = tmp_path / "incidents.geojson"
    result = export(sample_db, out, "incidents", "--format", "geojson")
    collection = json.loads(out.read_text(encoding="utf-8"))
    placed = scalar(sample_db, "SELECT count(*) FROM incidents WHERE latitude IS NOT NULL")
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == placed
    assert "left out 2 incidents without coordinates" in result.stderr
    feature = next(f for f in collection["features"] if f["properties"]["location"] == "Ganja")
    longitude, latitude = feature["geometry"]["coordinates"]
    assert 46 < longitude < 47 and 40 < latitude < 41


def test_jsonl_with_filters_keeps_only_that_country_and_those_days(sample_db, tmp_path):
    out = tmp_path / "karabakh.jsonl"
    export(
        sample_db, out, "incidents", "--format", "jsonl", "--country", "aze",
        "--since", "2020-10-04", "--until", "2020-10-11",
        "--event-type", "Explosions/Remote violence",
    )  # fmt: skip
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows and {r["country"] for r in rows} == {"AZE"}
    assert all("2020-10-04" <= r["event_date"] <= "2020-10-11" for r in rows)
    assert {r["event_type"] for r in rows} == {"Explosions/Remote violence"}


def test_the_acled_profile_names_columns_as_acled_does(sample_db, tmp_path):
    out = tmp_path / "acled.csv"
    export(sample_db, out, "incidents", "--acled", "--admin1", "Ganja City")
    rows = read_csv(out)
    assert list(rows[0])[:5] == [
        "incident_id", "event_date", "time_precision", "disorder_type", "event_type"
    ]  # fmt: skip
    assert {r["country"] for r in rows} == {"Azerbaijan"} and {r["iso3"] for r in rows} == {"AZE"}
    assert {r["admin1"] for r in rows} == {"Ganja City"}
    assert "1" in {r["fatalities"] for r in rows} and all(r["notes"] for r in rows)


def test_articles_filtered_by_country_are_those_reporting_an_incident_there(sample_db, tmp_path):
    out = tmp_path / "articles.csv"
    export(sample_db, out, "articles", "--country", "Armenia")
    rows = read_csv(out)
    assert len(rows) == scalar(
        sample_db,
        "SELECT count(DISTINCT m.article_id) FROM incident_mentions m "
        "JOIN incidents i USING (incident_id) WHERE i.country = 'ARM'",
    )
    assert all(r["body"] and r["source_name"] for r in rows)


def test_daily_exports_the_summaries_of_one_event_type(sample_db, tmp_path):
    out = tmp_path / "daily.parquet"
    export(sample_db, out, "daily", "--format", "parquet", "--event-type", "battles")
    table = pq.read_table(out)
    assert set(table.column("event_type").to_pylist()) == {"Battles"}
    assert table.num_rows == scalar(
        sample_db, "SELECT count(*) FROM daily_summary WHERE event_type = 'Battles'"
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("daily", "--format", "geojson"), "applies to incidents only"),
        (("articles", "--acled"), "applies to incidents only"),
        (("incidents", "--country", "Narnia"), "unknown country 'Narnia'"),
        (("incidents", "--event-type", "Skirmish"), "unknown event type 'Skirmish'"),
        (("daily", "--event-type", "Grenade"), "is a sub-event type"),
        (("incidents", "--since", "2020-10-05", "--until", "2020-10-01"), "is after --until"),
        (("incidents", "--format", "xlsx"), "xlsx"),
    ],
)
def test_wrong_options_are_refused_before_anything_is_written(sample_db, tmp_path, args, words):
    out = tmp_path / "out"
    result = newsdesk("export", *args, "--out", str(out), "--db", str(sample_db))
    assert result.exit_code == 2 and words in result.output
    assert not out.exists()


def test_export_without_a_database_says_to_ingest_first(tmp_path):
    result = newsdesk("export", "incidents", "--out", str(tmp_path / "x.csv"), "--db",
                      str(tmp_path / "none.duckdb"))  # fmt: skip
    assert result.exit_code == 2 and "run `newsdesk ingest` first" in result.output


def test_incidents_list_prints_a_table_most_recent_first(sample_db):
    result = CliRunner(env={"COLUMNS": "160"}).invoke(
        app, ["incidents", "list", "--db", str(sample_db), "--country", "Azerbaijan"]
    )
    assert result.exit_code == 0, result.output
    days = re.findall(r"^│ (\d{4}-\d\d-\d\d) ", result.stdout, re.M)
    assert len(days) == scalar(sample_db, "SELECT count(*) FROM incidents WHERE country = 'AZE'")
    assert days == sorted(days, reverse=True) and days[0] == "2020-11-10"
    [barda] = [line for line in result.stdout.splitlines() if "21 / 70" in line]
    assert "Barda" in barda and "Shelling/artillery/missile attack" in barda and "AZE" in barda


def test_incidents_list_shows_fifty_by_default_and_says_how_to_see_all(sample_db):
    result = newsdesk("incidents", "list", "--db", str(sample_db), "--limit", "3")
    assert result.exit_code == 0, result.output
    assert "3 of 35 incidents shown; --limit 0 shows all" in result.stderr


def test_incidents_list_json_gives_every_column_of_every_matching_incident(sample_db):
    result = newsdesk(
        "incidents", "list", "--db", str(sample_db), "--json", "--since", "2020-10-28"
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == scalar(
        sample_db, "SELECT count(*) FROM incidents WHERE event_date >= DATE '2020-10-28'"
    )
    assert [r["event_date"] for r in rows] == sorted((r["event_date"] for r in rows), reverse=True)
    assert {"incident_id", "killed_low", "claim_status", "evidence", "sources"} <= set(rows[0])


def test_incidents_reading_text_refuses_a_sub_command_as_well(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("Armenian forces shelled Ganja on Saturday.", encoding="utf-8")
    result = newsdesk("incidents", "--text", str(story), "list")
    assert result.exit_code == 2 and "reads the warehouse" in result.output


def test_the_published_snapshot_carries_the_codebooks_descriptions(sample_db):
    comment = scalar(
        sample_db,
        "SELECT comment FROM duckdb_columns() "
        "WHERE table_name = 'incidents' AND column_name = 'killed_low'",
    )
    assert "NULL = not reported, 0 = reported none" in comment
