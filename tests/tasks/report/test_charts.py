"""The report's chart and map: honest scales, units and legends, drawn offline as SVG."""

from datetime import date

from tasks.report.charts import (
    EVENT_COLOURS,
    MIN_MAP_SPAN,
    country_outlines,
    daily_counts,
    map_spec,
    svg,
    timeline_spec,
)
from tests.tasks.report.records import DAY, NO_OUTLINES, incident

WEEK = (date(2020, 9, 28), DAY)
BATTLE = incident(
    "cd34", event_type="Battles", killed_low=None, killed_best=None, killed_high=None,
    latitude=39.4, longitude=47.03, location="Jabrayil",
)  # fmt: skip


def test_daily_counts_add_incidents_and_killed_per_day_and_type_without_a_figure_adding_0():
    rows = daily_counts([incident(), incident("x"), BATTLE])
    assert rows == [
        {"day": "2020-10-04", "event_type": "Battles", "incidents": 1, "killed": 0},
        {"day": "2020-10-04", "event_type": "Explosions/Remote violence", "incidents": 2,
         "killed": 4},
    ]  # fmt: skip


def test_incidents_and_killed_are_two_panels_each_with_its_own_titled_scale_over_the_period():
    spec = timeline_spec([incident(), BATTLE], *WEEK)
    top, bottom = spec["vconcat"]
    assert top["encoding"]["y"]["title"] == "Incidents per day"
    assert bottom["encoding"]["y"]["title"] == "Killed per day (best)"
    assert "resolve" not in spec  # each panel's y scale is its own, x and colours are shared
    domain = top["encoding"]["x"]["scale"]["domain"]
    assert [(d["year"], d["month"], d["date"]) for d in domain] == [(2020, 9, 28), (2020, 10, 5)]


def test_count_axes_start_at_0_with_whole_number_ticks():
    spec = timeline_spec([incident(), BATTLE], *WEEK)
    incidents_axis, killed_axis = (panel["encoding"]["y"] for panel in spec["vconcat"])
    assert incidents_axis["axis"]["values"] == [0, 1, 2] and incidents_axis["scale"]["domain"] == [
        0,
        2,
    ]
    assert killed_axis["axis"]["values"] == [0, 1, 2]
    empty = timeline_spec([], *WEEK)["vconcat"][1]["encoding"]["y"]
    assert empty["axis"]["values"] == [0, 1]
    many = incident(killed_low=22, killed_best=22, killed_high=22)
    assert timeline_spec([many], *WEEK)["vconcat"][1]["encoding"]["y"]["axis"]["values"] == [
        0, 5, 10, 15, 20, 25]  # fmt: skip


def test_the_chart_renders_with_axes_titles_and_one_event_type_legend():
    chart = svg(timeline_spec([incident(), BATTLE], *WEEK))
    assert chart.startswith("<svg") and "<script" not in chart
    for text in ("Incidents per day", "Killed per day (best)", "Day (event date)", "Event type"):
        assert f">{text}</text>" in chart
    assert chart.count(">Event type</text>") == 1
    assert ">Battles</text>" in chart and ">Explosions/Remote violence</text>" in chart


def test_event_types_keep_their_colours_whatever_else_the_period_holds():
    alone = map_spec([incident()], NO_OUTLINES)["layer"][1]["encoding"]["color"]["scale"]
    both = map_spec([incident(), BATTLE], NO_OUTLINES)["layer"][1]["encoding"]["color"]["scale"]
    assert alone["range"] == [EVENT_COLOURS["Explosions/Remote violence"]]
    assert dict(zip(both["domain"], both["range"], strict=True)) == {
        "Battles": EVENT_COLOURS["Battles"],
        "Explosions/Remote violence": EVENT_COLOURS["Explosions/Remote violence"],
    }


def test_the_map_fits_the_incidents_with_their_region_around_them():
    spec = map_spec([incident()], NO_OUTLINES)
    (west, south), (east, north) = spec["projection"]["fit"]["geometry"]["coordinates"]
    assert east - west >= MIN_MAP_SPAN and north - south >= MIN_MAP_SPAN
    assert west < 46.36 < east and south < 40.68 < north


def test_points_are_sized_by_the_killed_and_the_deadliest_places_named():
    spec = map_spec([incident(), BATTLE], NO_OUTLINES)
    points = spec["layer"][1]["data"]["values"]
    assert [(p["location"], p["killed"], p["label"]) for p in points] == [
        ("Ganja", 2, True), ("Jabrayil", 0, False)]  # fmt: skip
    assert spec["layer"][1]["encoding"]["size"]["field"] == "killed"


def test_no_map_when_no_incident_has_coordinates():
    assert map_spec([incident(latitude=None, longitude=None)], NO_OUTLINES) is None


def test_the_map_draws_natural_earth_outlines_clipped_to_the_view_offline():
    drawn = svg(map_spec([incident(), BATTLE], country_outlines()))
    assert drawn.startswith("<svg") and ">Killed (best)</text>" in drawn
    assert "mark-shape" in drawn  # the countries layer
    assert len(drawn) < 150_000  # clipped: only the outlines in view reach the page


def test_place_names_on_the_map_are_text_never_markup():
    drawn = svg(map_spec([incident(location="<b>Ganja</b>")], NO_OUTLINES))
    assert "<b>" not in drawn and "&lt;b&gt;Ganja&lt;/b&gt;" in drawn
