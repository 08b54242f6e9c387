"""The report as a reader sees it: Debian's chromium loads it from 127.0.0.1, offline."""

import json
import os

import pytest

from tasks.report.charts import country_outlines
from tasks.report.page import Period, report_html
from tests.browser import browser_page, chromium
from tests.tasks.report.records import DAY, evidence, incident

pytestmark = pytest.mark.slow

# The size of the chart's and the map's SVG as laid out, and whether the map holds its points.
MEASURE = """JSON.stringify(["#timeline svg", "#map svg"].map(s => {
  const box = document.querySelector(s)?.getBoundingClientRect();
  return box ? [box.width, box.height] : null;
}).concat([document.querySelectorAll("#map svg path").length]))"""


@pytest.fixture
def browser_binary() -> str:
    binary = chromium()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: .ci/run installs it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return binary


def a_week_of_incidents() -> tuple[list[dict], list[dict]]:
    battle = incident(
        "cd34", event_date=DAY.replace(day=1), event_type="Battles", location="Jabrayil",
        latitude=39.4, longitude=47.03, actor1=None, actor2="Military Forces of Armenia",
        killed_low=8, killed_best=8, killed_high=8,
    )  # fmt: skip
    sentences = [
        evidence("Armenian forces shelled Ganja, killing two <civilians>.", killed_best=2),
        evidence('"Eight soldiers died," the ministry said.', "cd34", killed_best=8),
    ]
    return [incident(), battle], sentences


def test_the_report_renders_its_chart_and_map_without_console_errors(web, browser_binary, tmp_path):
    incidents, sentences = a_week_of_incidents()
    html = report_html(Period(DAY.replace(day=1), DAY), incidents, sentences, country_outlines())
    web.expect_request("/report.html").respond_with_data(html, content_type="text/html")

    with browser_page(browser_binary, tmp_path / "profile") as page:
        page.open(web.url_for("/report.html"))
        chart, drawn_map, map_paths = json.loads(page.evaluate(MEASURE))
        shot = page.screenshot(tmp_path / "report.png")
        errors = page.errors()

    assert errors == []
    assert chart[0] > 300 and chart[1] > 200
    assert drawn_map[0] > 300 and drawn_map[1] > 200 and map_paths > 5
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_check_sees_a_page_that_reaches_beyond_127_0_0_1_or_logs_an_error(
    web, browser_binary, tmp_path
):
    html = (
        '<!doctype html><link rel="icon" href="data:,">'
        '<script src="https://cdn.example.org/vega.js"></script>'
        '<script>console.error("broken")</script>'
    )
    web.expect_request("/bad.html").respond_with_data(html, content_type="text/html")
    with browser_page(browser_binary, tmp_path / "profile") as page:
        page.open(web.url_for("/bad.html"))
        errors = page.errors()
    assert "broken" in errors
    assert any("ERR_NAME_NOT_RESOLVED" in e or "Failed to load" in e for e in errors), errors
