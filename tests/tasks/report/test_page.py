"""The HTML report: page text is data never markup, figures traced to their sentences, actors in
their roles, outlets by name."""

from datetime import date

import pytest

from tasks.report.page import Period, report_html
from tests.tasks.report.records import DAY, NO_OUTLINES, evidence, incident

GANJA = evidence(
    "Armenian forces shelled Ganja, a city of 500,000, killing two <civilians>.",
    killed_low=2, killed_best=2, killed_high=2,
)  # fmt: skip
ONE_DEAD = evidence("One person died in Ganja.", killed_low=1, killed_best=1, killed_high=1)


def page(incidents, evidence_rows, period: Period | None = None) -> str:
    return report_html(period or Period(DAY, DAY), incidents, evidence_rows, NO_OUTLINES)


def rows_of(html: str) -> str:
    return html.split("<tbody>")[1].split("</tbody>")[0]


def test_the_page_links_each_incident_to_its_sentence_and_escapes_it():
    html = page([incident()], [GANJA])
    assert '<tr id="ab12">' in html
    assert 'href="https://wire.test/a?x=1#:~:text=Armenian%20forces' in html
    assert "killing two &lt;civilians&gt;." in html
    assert "disputed (claimed by Baku; denied by Yerevan)" in html
    assert "<script" not in html and html.count("<svg") >= 2


def test_titles_places_and_actors_from_pages_are_text_never_markup():
    hostile = incident(location="<img src=x onerror=alert(1)>", actor2="<b>Baku</b>")
    html = page([hostile], [evidence("<script>alert(1)</script> shelled.")])
    assert "<img" not in html and "<b>Baku" not in html and "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; shelled." in html
    assert "&lt;b&gt;Baku&lt;/b&gt;" in html


def test_an_evidence_url_that_is_not_http_is_shown_as_text_never_as_a_link():
    rows = rows_of(page([incident()], [{**GANJA, "url": "javascript:alert(1)//"}]))
    assert "<a " not in rows.replace('<a class="cite" href="#', "") and "javascript:al" in rows
    assert "Wire Service (javascript:alert(1)//)" in rows


def test_evidence_is_cited_under_the_outlets_name_not_the_source_id():
    rows = rows_of(page([incident()], [GANJA]))
    assert ">Wire Service</a>" in rows and ">wire<" not in rows


def test_a_target_is_never_shown_in_the_initiators_place():
    target_only = incident(actor1=None, actor2="Civilians (Azerbaijan)")
    rows = rows_of(page([target_only], [GANJA]))
    assert '<span class="actor1"><span class="unnamed">unnamed</span></span>' in rows
    assert '<span class="actor2">Civilians (Azerbaijan)</span>' in rows


def test_the_sentence_that_gave_each_figure_is_marked_and_the_figure_links_to_it():
    rows = rows_of(page([incident()], [ONE_DEAD, GANJA]))
    assert '<blockquote id="ab12-0" class="gave-figure">' in rows
    assert "<mark>gave killed low 1</mark>" in rows
    assert "<mark>gave killed best 2, high 2</mark>" in rows
    assert '2 (1–2) <a class="cite" href="#ab12-1"' in rows  # the best figure's sentence


def test_a_sentence_that_gave_several_figures_names_the_killed_first():
    both = evidence("Two killed, five hurt.", killed_best=2, injured_best=5)
    rows = rows_of(page([incident(injured_low=5, injured_best=5, injured_high=5)], [both]))
    assert "<mark>gave killed best 2, injured 5</mark>" in rows


def test_a_sentence_that_gave_no_figure_is_not_marked():
    rows = rows_of(page([incident()], [evidence("Sirens sounded over Ganja.")]))
    assert "gave-figure" not in rows and "<mark>" not in rows


def test_a_quoted_sentence_gets_no_second_pair_of_quotation_marks():
    quoted = evidence('"Armenian forces struck Ganja," said Hikmet Hajiyev.')
    rows = rows_of(page([incident()], [quoted]))
    assert "<p>&#34;Armenian forces struck Ganja,&#34; said Hikmet Hajiyev.</p>" in rows
    assert "“" not in rows and "&ldquo;" not in rows


def test_the_summary_line_counts_denials_as_contested_and_names_loose_dates():
    denied = incident("cd34", claim_status="denied", time_precision=2)
    html = page([incident(), denied], [GANJA])
    assert "2 contested (denied or disputed), 1 dated only to the week or month." in html
    assert html.count('class="contested"') == 2


def test_a_period_without_incidents_still_gets_a_page_that_says_so():
    html = page([], [], Period(date(2020, 10, 1), DAY))
    assert "No incidents reported for this period." in html
    assert "No incident in this period has coordinates." in html
    assert "Incidents reported for 2020-10-01 to 2020-10-04" in html


def test_the_map_caption_counts_incidents_it_cannot_draw_where_they_happened():
    unplaced = incident("cd34", latitude=None, longitude=None, location=None, geo_precision=None)
    country = incident("ef56", geo_precision=3, location=None)
    html = page([incident(), unplaced, country], [])
    assert "1 placed only to their country are drawn at its centre." in html
    assert "1 without a known place are not drawn." in html


def test_a_period_is_named_by_its_days_and_cannot_end_before_it_starts():
    week = Period(date(2020, 9, 28), DAY)
    assert (week.title, week.file_name) == (
        "2020-09-28 to 2020-10-04", "incidents-2020-09-28_2020-10-04.html")  # fmt: skip
    assert Period(DAY, DAY).file_name == "incidents-2020-10-04.html"
    with pytest.raises(ValueError, match="after it ends"):
        Period(DAY, date(2020, 10, 1))
