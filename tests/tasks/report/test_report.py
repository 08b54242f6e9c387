"""What every report says of an incident, and the daily markdown report (a Prefect artifact)."""

from datetime import date

from tasks.report.daily import (
    actors_text,
    daily_markdown,
    evidence_link,
    figure_text,
    write_report,
)

DAY = date(2020, 10, 4)
INCIDENT = {
    "incident_id": "ab12", "event_type": "Explosions/Remote violence",
    "sub_event_type": "Shelling/artillery/missile attack", "location": "Ganja",
    "admin1": "Ganja", "country": "AZE", "actor1": "Military Forces of Armenia", "actor2": None,
    "killed_low": 1, "killed_best": 2, "killed_high": 2, "injured_low": None,
    "injured_best": None, "injured_high": None, "claim_status": "disputed",
    "claimed_by": "Baku", "denied_by": "Yerevan", "num_articles": 2, "num_sources": 1,
    "time_precision": 1,
}  # fmt: skip
EVIDENCE = [{
    "incident_id": "ab12", "source_id": "wire", "source_name": "Wire Service",
    "url": "https://wire.test/a?x=1#top",
    "sentence": "Armenian forces shelled Ganja, a city of 500,000, killing two <civilians>.",
}]  # fmt: skip


def test_figures_read_best_then_range_and_a_dash_when_nobody_gave_one():
    assert figure_text(INCIDENT, "killed") == "2 (1–2)"
    assert figure_text({"killed_low": 3, "killed_best": 3, "killed_high": 3}, "killed") == "3"
    assert figure_text({"killed_low": 0, "killed_best": 0, "killed_high": 0}, "killed") == "0"
    assert figure_text(INCIDENT, "injured") == "–"


def test_the_evidence_link_points_at_the_sentence_with_a_text_fragment():
    link = evidence_link(EVIDENCE[0]["url"], EVIDENCE[0]["sentence"])
    assert link == ("https://wire.test/a?x=1#:~:text=Armenian%20forces%20shelled%20Ganja%2C,"
                    "500%2C000%2C%20killing%20two%20%3Ccivilians%3E.")  # fmt: skip
    assert evidence_link("https://x.test/", "Clashes in Stepanakert-Khankendi.") == (
        "https://x.test/#:~:text=Clashes%20in%20Stepanakert%2DKhankendi."
    )


def test_actors_read_initiator_then_target_and_an_unnamed_side_is_said_so():
    assert actors_text(INCIDENT) == "Military Forces of Armenia → unnamed"
    target_only = {**INCIDENT, "actor1": None, "actor2": "Civilians (Azerbaijan)"}
    assert actors_text(target_only) == "unnamed → Civilians (Azerbaijan)"
    assert actors_text({**INCIDENT, "actor1": None}) == "–"


def test_the_markdown_report_lists_the_evidence_under_each_incident():
    markdown = daily_markdown(DAY, [INCIDENT], EVIDENCE)
    assert markdown.startswith("# Incidents reported for 2020-10-04")
    assert "1 incidents, 2 killed (best), 1 contested (denied or disputed)." in markdown
    assert "[Wire Service](https://wire.test/a?x=1#:~:text=" in markdown
    assert "| Military Forces of Armenia → unnamed |" in markdown


def test_the_markdown_report_adds_no_quotation_marks_to_a_quoted_sentence():
    quoted = [{**EVIDENCE[0], "sentence": '"Ganja was shelled," Baku said.'}]
    markdown = daily_markdown(DAY, [INCIDENT], quoted)
    assert ': *"Ganja was shelled," Baku said.*' in markdown
    assert "“" not in markdown


def test_the_report_is_written_as_one_file_in_a_folder_made_for_it(tmp_path):
    path = write_report(tmp_path / "out", "incidents-2020-10-04.html", "<html></html>")
    assert path == tmp_path / "out" / "incidents-2020-10-04.html"
    assert path.read_text() == "<html></html>"


SCRIPT_EVIDENCE = [{**EVIDENCE[0], "url": "javascript:alert(1)//"}]


def test_the_markdown_report_shows_a_script_url_as_escaped_text_not_a_link():
    markdown = daily_markdown(DAY, [INCIDENT], SCRIPT_EVIDENCE)
    assert "](javascript" not in markdown
    assert "Wire Service (javascript:alert\\(1\\)//)" in markdown


def test_the_markdown_report_escapes_markup_in_what_pages_said():
    hostile = {
        **EVIDENCE[0],
        "sentence": "Two killed <img src=x onerror=alert(1)> in [Ganja](javascript:x)",
    }
    markdown = daily_markdown(DAY, [{**INCIDENT, "location": "*Ganja*"}], [hostile])
    assert "<img" not in markdown and "&lt;img src=x onerror=alert\\(1\\)&gt;" in markdown
    assert "\\[Ganja\\]\\(javascript:x\\)" in markdown
    assert "\\*Ganja\\*" in markdown


def test_an_http_url_with_parentheses_stays_one_markdown_link():
    wiki = [{**EVIDENCE[0], "url": "https://wire.test/a_(b) c"}]
    assert "](https://wire.test/a_%28b%29%20c#:~:text=" in daily_markdown(DAY, [INCIDENT], wiki)
