"""The report's chart and map: Vega-Lite specs built with Altair, rendered to static SVG offline.

Altair states each figure declaratively (axes with units, one legend, one scale per panel), and
vl-convert runs Vega in-process and returns SVG, so the page needs no script, no CDN and no tile
server. Incidents and deaths are two panels on one time axis, each with its own honest y scale
(the old single chart drew 1 killed as high as 8 incidents). The map's country outlines are
Natural Earth's (``config/maps``), fitted and clipped to the incidents' extent, so a page carries
only the outlines in view. Colours of event types are fixed, so the chart, the map and every
report agree.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import altair as alt
import vl_convert

from config.settings import CONFIG_DIR

Row = Mapping[str, Any]
OUTLINES_FILE = CONFIG_DIR / "maps" / "countries-50m.json"
# ACLED's event types, each with a colour from Tableau 10 (distinct in print and for most
# colour-blind readers); a type outside this vocabulary is drawn grey.
EVENT_COLOURS = {
    "Battles": "#4e79a7",
    "Explosions/Remote violence": "#e15759",
    "Violence against civilians": "#b07aa1",
    "Protests": "#59a14f",
    "Riots": "#f28e2b",
    "Strategic developments": "#9c755f",
}
OTHER_COLOUR = "#8c8c8c"
CHART_WIDTH, PANEL_HEIGHT = 760, 130
MAP_WIDTH, MAP_HEIGHT = 760, 460
MIN_MAP_SPAN = 3.0  # degrees: a single place is shown with its region around it
MAP_LABELS = 6  # places named on the map: the deadliest, where someone was killed
POINT_AREAS = (30, 1200)  # px², none to the period's deadliest
LABEL_RISE = 23  # px: a label clears the largest point (radius ≈ 19.5 px)
SEA, LAND, BORDER = "#dce8f2", "#f5f2ea", "#9a9a9a"


def country_outlines() -> dict[str, Any]:
    """Natural Earth's country outlines as TopoJSON (object ``countries``), read from config."""
    return json.loads(OUTLINES_FILE.read_text(encoding="utf-8"))


def svg(spec: Mapping[str, Any]) -> str:
    """Render a Vega-Lite spec to a standalone SVG element (text escaped by Vega)."""
    return vl_convert.vegalite_to_svg(dict(spec))


def daily_counts(incidents: Sequence[Row]) -> list[dict[str, Any]]:
    """Incidents and killed (best; an incident without a figure adds 0) per day and event type."""
    counts: Counter[tuple[date, str]] = Counter()
    killed: Counter[tuple[date, str]] = Counter()
    for row in incidents:
        key = (row["event_date"], row["event_type"])
        counts[key] += 1
        killed[key] += row["killed_best"] or 0
    return [
        {"day": day.isoformat(), "event_type": kind, "incidents": n, "killed": killed[day, kind]}
        for (day, kind), n in sorted(counts.items())
    ]


def timeline_spec(incidents: Sequence[Row], since: date, until: date) -> dict[str, Any]:
    """Two panels on one day axis: incidents per day, killed per day, stacked by event type."""
    rows = daily_counts(incidents)
    day = alt.X(
        "utcyearmonthdate(day):T",
        title="Day (event date)",
        scale=alt.Scale(domain=[_utc(since), _utc(until + timedelta(days=1))]),
        axis=alt.Axis(format="%d %b %Y", labelAngle=0, labelOverlap=True),
    )
    colour = _colour(rows)
    base = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .properties(width=CHART_WIDTH, height=PANEL_HEIGHT)
    )
    panels = [
        base.encode(x=day, y=_count_axis(rows, "incidents", "Incidents per day"), color=colour),
        base.encode(x=day, y=_count_axis(rows, "killed", "Killed per day (best)"), color=colour),
    ]
    return alt.vconcat(*panels, spacing=18).to_dict()


def map_spec(incidents: Sequence[Row], outlines: Mapping[str, Any]) -> dict[str, Any] | None:
    """Incidents as points (area by killed, colour by type) on country outlines; None if no
    incident has coordinates."""
    points = _points(incidents)
    if not points:
        return None
    projection = alt.Projection(
        type="mercator", fit=_extent(points), clipExtent=[[0, 0], [MAP_WIDTH, MAP_HEIGHT]]
    )
    countries = alt.Chart(
        alt.Data(name="countries", format=alt.DataFormat(type="topojson", feature="countries"))
    ).mark_geoshape(fill=LAND, stroke=BORDER, strokeWidth=0.6)
    located = alt.Chart(alt.Data(values=points)).encode(
        longitude="longitude:Q", latitude="latitude:Q"
    )
    dots = located.mark_circle(opacity=0.8, stroke="#333", strokeWidth=0.6).encode(
        size=alt.Size(
            "killed:Q", title="Killed (best)", scale=alt.Scale(range=list(POINT_AREAS), zero=True)
        ),
        color=_colour(points),
        order=alt.Order("killed:Q", sort="descending"),
    )
    names = located.transform_filter(alt.datum.label).mark_text(
        dy=-LABEL_RISE, fontSize=11, fontWeight="bold", fill="#222"
    ).encode(text="location:N")  # fmt: skip
    chart = alt.layer(countries, dots, names).properties(
        width=MAP_WIDTH, height=MAP_HEIGHT, projection=projection
    )
    spec = chart.configure_view(fill=SEA, stroke=BORDER).to_dict()
    # The outlines join after Altair's validation, which would walk every one of their points.
    spec["datasets"] = {**spec.get("datasets", {}), "countries": outlines}
    return spec


def _count_axis(rows: Sequence[Row], field: str, title: str) -> alt.Y:
    """A count's axis from 0 with whole-number ticks (at most about 6), whatever the counts."""
    per_day: Counter[str] = Counter()
    for row in rows:
        per_day[row["day"]] += row[field]
    top = max(per_day.values(), default=0)
    step = max(1, math.ceil(top / 5))
    ticks = list(range(0, top + step, step)) if top else [0, 1]
    return alt.Y(
        f"sum({field}):Q",
        title=title,
        scale=alt.Scale(domain=[0, ticks[-1]], nice=False),
        axis=alt.Axis(values=ticks, format="d"),
    )


def _colour(rows: Sequence[Row]) -> alt.Color:
    """Event type colours: the fixed ones, in ACLED's order, for the types present."""
    present = {row["event_type"] for row in rows}
    kinds = [k for k in EVENT_COLOURS if k in present] + sorted(present - EVENT_COLOURS.keys())
    return alt.Color(
        "event_type:N",
        title="Event type",
        scale=alt.Scale(domain=kinds, range=[EVENT_COLOURS.get(k, OTHER_COLOUR) for k in kinds]),
    )


def _points(incidents: Sequence[Row]) -> list[dict[str, Any]]:
    """The placed incidents, deadliest first; the first ``MAP_LABELS`` distinct places where
    someone was killed are labelled (Vega-Lite does not move labels apart, so few are shown)."""
    placed = sorted(
        (row for row in incidents if row["latitude"] is not None),
        key=lambda row: -(row["killed_best"] or 0),
    )
    named: list[str] = []
    points = []
    for row in placed:
        place = row["location"] or row["country"] or ""
        label = len(named) < MAP_LABELS and place not in named and bool(row["killed_best"])
        named += [place] if label else []
        points.append(
            {"latitude": row["latitude"], "longitude": row["longitude"], "location": place,
             "event_type": row["event_type"], "killed": row["killed_best"] or 0, "label": label}
        )  # fmt: skip
    return points


def _extent(points: list[dict[str, Any]]) -> dict[str, Any]:
    """The area to fit: the points' bounds, padded, at least ``MIN_MAP_SPAN`` wide and high."""
    corners = []
    for axis in ("longitude", "latitude"):
        low, high = min(p[axis] for p in points), max(p[axis] for p in points)
        pad = max((MIN_MAP_SPAN - (high - low)) / 2, (high - low) * 0.12)
        corners.append((low - pad, high + pad))
    (west, east), (south, north) = corners
    geometry = {"type": "MultiPoint", "coordinates": [[west, south], [east, north]]}
    return {"type": "Feature", "geometry": geometry, "properties": {}}


def _utc(day: date) -> alt.DateTime:
    return alt.DateTime(year=day.year, month=day.month, date=day.day, utc=True)
