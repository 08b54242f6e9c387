import json

from typer.testing import CliRunner

from flows.cli import app
from tasks.incidents import merge
from warehouse.incidents import INCIDENTS_SCHEMA, MENTIONS_SCHEMA

INCIDENT_MENTIONS_SENTENCE = MENTIONS_SCHEMA.field("sentences").type.value_type

STORY = "Armenian forces shelled Ganja on Saturday, killing two civilians, Baku said."


def run(*args):
    result = CliRunner().invoke(app, ["incidents", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def test_text_prints_one_json_line_per_incident_with_every_column(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    [incident] = run(
        "--text",
        str(story),
        "--published",
        "2020-10-04T09:00:00",
        "--source",
        "wire",
        "--timezone",
        "Asia/Baku",
    )
    assert incident["location"] == "Ganja" and incident["event_date"] == "2020-10-03"
    assert [incident[f"killed_{end}"] for end in ("low", "best", "high")] == [2, 2, 2]
    assert incident["injured_best"] is None
    assert incident["incident_key"].split("|")[3] == "2020-10-03"
    assert incident["incident_id"] == merge.incident_id(incident["incident_key"])
    assert (incident["num_articles"], incident["num_sources"]) == (1, 1)
    assert incident["first_reported_at"] == "2020-10-04T09:00:00"
    assert incident["source"] == "wire"
    [evidence] = incident["sentences"]
    assert (evidence["sentence"], evidence["start_char"], evidence["end_char"]) == (
        STORY,
        0,
        len(STORY),
    )
    assert evidence["killed_best"] == 2


def test_output_keys_are_the_incidents_columns_so_it_compares_with_the_warehouse(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    [incident] = run("--text", str(story), "--published", "2020-10-04T09:00:00")
    table_columns = set(INCIDENTS_SCHEMA.names) - {"last_updated_run"}
    assert set(incident) == table_columns | {"source", "sentences"}
    sentence_fields = INCIDENT_MENTIONS_SENTENCE.names
    assert [list(s) for s in incident["sentences"]] == [sentence_fields]


def test_jsonl_adds_the_id_and_reports_texts_without_incidents(tmp_path):
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        "\n".join(
            json.dumps(a)
            for a in (
                {"id": "quiet", "text": "Markets rose.", "published_at": "2020-10-04"},
                {"id": "ganja", "text": STORY, "published_at": "2020-10-04T09:00:00"},
            )
        ),
        encoding="utf-8",
    )
    quiet, ganja = run("--jsonl", str(articles))
    assert quiet == {"id": "quiet", "incidents": 0}
    assert ganja["id"] == "ganja" and ganja["location"] == "Ganja"


def test_text_without_publication_time_is_refused(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    result = CliRunner().invoke(app, ["incidents", "--text", str(story)])
    assert result.exit_code != 0


def test_unreadable_jsonl_lines_become_rejects_and_the_rest_still_run(tmp_path):
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        "\n".join(
            (
                "{not json",
                json.dumps({"id": "no-text", "published_at": "2020-10-04"}),
                json.dumps({"id": "bad-day", "text": STORY, "published_at": "Sunday"}),
                json.dumps({"id": "ganja", "text": STORY, "published_at": "2020-10-04T09:00:00"}),
            )
        ),
        encoding="utf-8",
    )
    bad_json, no_text, bad_day, ganja = run("--jsonl", str(articles))
    assert [r["reject"]["reason"] for r in (bad_json, no_text, bad_day)] == [
        "bad_json",
        "no_text",
        "bad_published_at",
    ]
    assert bad_json["line"] == 1 and bad_json["reject"]["stage"] == "incidents"
    assert ganja["id"] == "ganja" and ganja["location"] == "Ganja"
