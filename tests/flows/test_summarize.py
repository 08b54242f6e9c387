"""The summarize flow, run for real: extraction, merging, idempotent re-runs, late articles.

One scenario runs the flow four times on a real DuckDB file (first run, plain re-run, a late
article through ``newsdesk summarize``, a forced re-read) and the tests read what each left
(marked slow: it starts a Prefect test server). The batch steps are also run on their own, as
plain functions, for what must hold after each batch commits even if the run dies next.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from typer.testing import CliRunner

from config.settings import Settings
from flows.cli import app
from flows.summarize import incident_reader, retract_copies, store_batch, summarize
from tasks.incidents.extract import extract_incidents
from tasks.incidents.merge import Article, extract_reports
from tasks.incidents.model import Casualties, Incident, Mention
from tests.shared_data import seed_report
from tests.tasks.incidents.conftest import READER
from warehouse.db import connect
from warehouse.session import reader

slow = pytest.mark.slow  # the scenario starts a Prefect test server

LATE = ("Two civilians were killed and five wounded when Armenian forces shelled Ganja on "
        "Sunday, Azerbaijan's Defence Ministry said.")  # fmt: skip
GANJA = "Explosions/Remote violence|Shelling/artillery/missile attack|586523|2020-10-04|"


@dataclass
class Scenario:
    settings: Settings
    seed_body: str
    counts: list[dict]
    incidents: list[list[tuple]]
    readers_built_by_re_run: int


def add_source(con, source_id: str, timezone: str) -> None:
    con.execute(
        "INSERT INTO sources VALUES (?, ?, 'archive', 'pages', ?, true, '{}', now())",
        [source_id, source_id, timezone],
    )


def add_article(con, article_id: str, source_id: str, body: str, published: datetime) -> None:
    url = f"https://{source_id}.test/{article_id}"
    con.execute(
        "INSERT INTO articles VALUES (?, ?, ?, ?, 'r', NULL, ?, NULL, 'en', ?, 'meta', NULL, "
        "false, 1, ?, ?, ?, NULL, NULL)",
        [article_id, url, url, source_id, body, published, article_id, published, published],
    )


def incident_rows(settings: Settings) -> list[tuple]:
    with reader(settings) as con:
        return con.execute("SELECT * FROM incidents ORDER BY incident_id").fetchall()


@pytest.fixture(scope="module")
def scenario(prefect_harness, tmp_path_factory) -> Scenario:
    settings = Settings(db_path=tmp_path_factory.mktemp("summarize") / "news.duckdb")
    body, _ = seed_report()
    with connect(settings.work_db_path) as con:
        add_source(con, "wire", "Asia/Baku")
        add_source(con, "daily", "UTC")
        add_article(con, "seed", "wire", body, datetime(2020, 10, 4, 9, tzinfo=UTC))
    db = str(settings.db_path)
    counts = [summarize(db_path=db)]
    incident_reader.cache_clear()
    counts.append(summarize(db_path=db))
    readers_built = incident_reader.cache_info().currsize
    rows = [incident_rows(settings), incident_rows(settings)]
    with connect(settings.work_db_path) as con:
        add_article(con, "late", "daily", LATE, datetime(2020, 10, 4, 18, tzinfo=UTC))
    result = CliRunner().invoke(app, ["summarize", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    counts.append(json.loads(result.output.strip().splitlines()[-1]))
    rows.append(incident_rows(settings))
    counts.append(summarize(db_path=db, force=True))
    rows.append(incident_rows(settings))
    return Scenario(settings, body, counts, rows, readers_built)


def query(scenario: Scenario, sql: str) -> list[tuple]:
    with reader(scenario.settings) as con:
        return con.execute(sql).fetchall()


@slow
def test_the_first_run_stores_one_incident_per_event_the_article_reports(scenario):
    found = extract_incidents(
        scenario.seed_body, datetime(2020, 10, 4, 9), reader=READER, timezone="Asia/Baku"
    )
    expected = {i.incident_key for i in found}
    assert scenario.counts[0]["articles"] == 1
    assert {row[1] for row in scenario.incidents[0]} == expected


@slow
def test_a_re_run_reads_nothing_new_and_leaves_every_row_as_it_was(scenario):
    assert scenario.counts[1]["articles"] == 0
    assert scenario.incidents[1] == scenario.incidents[0]


@slow
def test_a_run_with_nothing_new_loads_neither_gazetteer_nor_type_model(scenario):
    assert scenario.counts[1]["articles"] == 0
    assert scenario.readers_built_by_re_run == 0


@slow
def test_a_late_article_updates_its_incident_without_duplicating_it(scenario):
    first, late = scenario.incidents[0], scenario.incidents[2]
    assert [row[0] for row in late] == [row[0] for row in first]
    (ganja,) = query(scenario, "SELECT killed_low, killed_best, killed_high, injured_best, "
                               f"num_articles, num_sources FROM incidents "
                               f"WHERE incident_key = '{GANJA}'")  # fmt: skip
    assert ganja == (1, 2, 2, 5, 2, 2)


@slow
def test_forcing_a_re_read_reads_every_article_and_changes_no_row(scenario):
    assert scenario.counts[3]["articles"] == 2
    assert scenario.incidents[3] == scenario.incidents[2]


@slow
def test_every_casualty_figure_is_one_a_mention_gave(scenario):
    untraced = query(scenario, """
        SELECT i.incident_id FROM incidents i
        WHERE (i.killed_best IS NOT NULL AND i.killed_best NOT IN (
                   SELECT m.killed_best FROM incident_mentions m
                   WHERE m.incident_id = i.incident_id AND m.killed_best IS NOT NULL))
           OR (i.killed_low IS NOT NULL AND i.killed_low NOT IN (
                   SELECT coalesce(m.killed_low, m.killed_best) FROM incident_mentions m
                   WHERE m.incident_id = i.incident_id))
           OR (i.killed_high IS NOT NULL AND i.killed_high NOT IN (
                   SELECT unnest([m.killed_low, m.killed_best, m.killed_high])
                   FROM incident_mentions m WHERE m.incident_id = i.incident_id))
    """)  # fmt: skip
    assert untraced == []
    orphans = query(scenario, "SELECT count(*) FROM incidents WHERE incident_id NOT IN "
                              "(SELECT incident_id FROM incident_evidence)")  # fmt: skip
    assert orphans == [(0,)]


@slow
def test_the_daily_summary_adds_up_to_the_days_incidents(scenario):
    assert query(scenario, "SELECT sum(incidents), sum(killed_best) FROM daily_summary") == (
        query(scenario, "SELECT count(*), sum(killed_best) FROM incidents")
    )


@slow
def test_every_run_is_in_the_ledger_as_completed(scenario):
    runs = query(scenario, "SELECT flow, status FROM pipeline_runs")
    assert runs == [("summarize", "completed")] * 4


@slow
def test_each_touched_day_is_published_as_a_markdown_report(scenario):
    runs = {
        r for (r,) in query(scenario, "SELECT run_id FROM pipeline_runs WHERE flow = 'summarize'")
    }
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["incidents-2020-10-04"]))
        )
    ours = [a for a in artifacts if str(a.flow_run_id) in runs]  # other tests share the API
    assert ours and all("Ganja" in a.data for a in ours)


@slow
def test_the_report_command_writes_html_linking_every_incident_to_its_evidence(scenario, tmp_path):
    result = CliRunner().invoke(app, ["report", "--since", "2020-10-04", "--until", "2020-10-04",
                                      "--out", str(tmp_path),
                                      "--db", str(scenario.settings.db_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    html = (tmp_path / "incidents-2020-10-04.html").read_text(encoding="utf-8")
    assert 'href="https://daily.test/late#:~:text=Two%20civilians' in html
    assert "Two civilians were killed and five wounded" in html
    for (incident_id,) in query(scenario, "SELECT incident_id FROM incidents"):
        assert f'<tr id="{incident_id}">' in html
    assert "<svg" in html and "<script" not in html


# --- one batch at a time: the store and retract steps as plain functions ---------------------

DAY = datetime(2020, 10, 4, 9, tzinfo=UTC)


def shelling(place: str, country: str = "AZE") -> Incident:
    killed = Casualties(1, 1, 1)
    return Incident(
        "Explosions/Remote violence", "Shelling/artillery/missile attack", DAY.date(),
        DAY.date(), DAY.date(), 1, "Sunday", place, None, country, None, None, None, 1, None,
        None, killed=killed, mentions=(Mention(f"Forces shelled {place}.", 0, 20, killed),),
    )  # fmt: skip


def read(*bodies: tuple[str, str]):
    """Batches as the extract step makes them: body "fail" raises, else it names the place."""

    def extract(text, published_at, *, reader, timezone, source):
        if text == "fail":
            raise RuntimeError("extractor crashed")
        place, _, country = text.partition(" in ")
        return [shelling(place, country or "AZE")]

    articles = [Article(article_id, f"https://wire.test/{article_id}", "wire", body, DAY)
                for article_id, body in bodies]  # fmt: skip
    return extract_reports(articles, READER, extract)


@pytest.fixture
def work_db(tmp_path):
    with connect(tmp_path / "work.duckdb") as con:
        add_source(con, "wire", "Asia/Baku")
        yield con


def sorted_rows(con, sql: str) -> list[tuple]:
    return sorted(con.execute(sql).fetchall())


def test_a_failed_re_extraction_keeps_the_evidence_the_article_gave_before(work_db):
    store_batch.fn(work_db, "run-1", "v1", read(("a", "Ganja")))
    assert store_batch.fn(work_db, "run-2", "v2", read(("a", "fail"))) == ({}, 1)
    assert sorted_rows(work_db, "SELECT article_id, run_id FROM incident_mentions") == [
        ("a", "run-1")
    ]
    assert sorted_rows(work_db, "SELECT location FROM incidents") == [("Ganja",)]
    assert sorted_rows(work_db, "SELECT failed, extractor_version FROM incident_extractions") == [
        (True, "v2")
    ]


def test_an_article_the_database_refuses_is_a_reject_and_the_rest_of_its_batch_is_stored(
    work_db,
):
    batch = read(("a", "Ganja"), ("b", "Tartar in AZ"), ("c", "Barda"), ("d", "fail"))
    touched, failed = store_batch.fn(work_db, "run-1", "v1", batch)
    assert (len(touched), failed) == (2, 2)
    assert sorted_rows(work_db, "SELECT location FROM incidents") == [("Barda",), ("Ganja",)]
    assert sorted_rows(work_db, "SELECT reason, url FROM rejects") == [
        ("extract_failed", "https://wire.test/d"),
        ("invalid_incident", "https://wire.test/b"),
    ]
    assert sorted_rows(work_db, "SELECT article_id, failed FROM incident_extractions") == [
        ("a", False),
        ("b", True),
        ("c", False),
        ("d", True),
    ]


def test_each_batch_commits_the_summaries_of_the_days_it_touched(work_db):
    store_batch.fn(work_db, "run-1", "v1", read(("a", "Ganja"), ("b", "Tartar")))
    summary = "SELECT day, incidents FROM daily_summary"
    assert sorted_rows(work_db, summary) == [(DAY.date(), 2)]
    add_article(work_db, "b", "wire", "Tartar", DAY)  # only b is still a unique story
    retract_copies.fn(work_db, "run-2")
    assert sorted_rows(work_db, summary) == [(DAY.date(), 1)]
