"""The HTML report of a period: a chart, a map and every incident with the sentences behind it.

One self-contained static file: the chart and the map are inline SVG (``tasks/report/charts.py``),
there is no script, and it opens offline. The page is a Jinja2 template with autoescaping on, so
titles, sentences, places and actors, which all came from pages, are text and never markup; only
the SVG Vega rendered (which escapes its own text) is inserted as markup. Each figure is linked to
the first sentence that printed it, and that sentence says which figures it gave.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from tasks.dedupe.urls import is_http_url
from tasks.report import charts
from tasks.report.daily import (
    by_incident,
    claim_text,
    evidence_link,
    figure_text,
    is_contested,
    outlet,
    place_text,
    summary_line,
)

Row = Mapping[str, Any]
TEMPLATES = Path(__file__).resolve().parent / "templates"
FIGURES = ("killed", "injured")
ENDS = ("best", "low", "high")


@dataclass(frozen=True)
class Period:
    """The event dates a report covers, both ends included."""

    since: date
    until: date

    def __post_init__(self) -> None:
        if self.since > self.until:
            raise ValueError(f"the period starts ({self.since}) after it ends ({self.until})")

    @property
    def title(self) -> str:
        """``2020-10-04``, or ``2020-10-01 to 2020-10-04``."""
        if self.since == self.until:
            return self.since.isoformat()
        return f"{self.since.isoformat()} to {self.until.isoformat()}"

    @property
    def file_name(self) -> str:
        """``incidents-2020-10-04.html``, or ``incidents-2020-10-01_2020-10-04.html``."""
        return f"incidents-{self.title.replace(' to ', '_')}.html"


def report_html(
    period: Period, incidents: Sequence[Row], evidence: Sequence[Row], outlines: Mapping[str, Any]
) -> str:
    """The period's report as one static HTML page; ``outlines`` is the map's TopoJSON."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    sentences = by_incident(evidence)
    map_spec = charts.map_spec(incidents, outlines)
    return environment.get_template("report.html.jinja").render(
        period=period,
        summary=summary_line(incidents),
        timeline=Markup(charts.svg(charts.timeline_spec(incidents, period.since, period.until))),
        map=Markup(charts.svg(map_spec)) if map_spec else None,
        unplaced=sum(row["latitude"] is None for row in incidents),
        country_level=sum(row["geo_precision"] == 3 for row in incidents),
        incidents=[_incident_view(row, sentences[row["incident_id"]]) for row in incidents],
    )


def _incident_view(row: Row, sentences: Sequence[Row]) -> dict[str, Any]:
    """What the template shows of an incident, with each figure's sentence found."""
    citations = [_citation(e, f"{row['incident_id']}-{n}") for n, e in enumerate(sentences)]
    credited = _credits(row, sentences)
    view = {
        "id": row["incident_id"],
        "day": row["event_date"],
        "event_type": row["event_type"],
        "sub_event_type": row["sub_event_type"],
        "place": place_text(row),
        "actor1": row["actor1"],
        "actor2": row["actor2"],
        "claim": claim_text(row),
        "contested": is_contested(row),
        "num_articles": row["num_articles"],
        "num_sources": row["num_sources"],
        "citations": citations,
    }
    for kind in FIGURES:
        view[kind] = figure_text(row, kind)
        given = [credited[kind, end] for end in ENDS if (kind, end) in credited]
        view[f"{kind}_cite"] = citations[given[0]]["anchor"] if given else None
    for (index, kind), ends in _ends_by_sentence(credited).items():
        citations[index]["gave"].append(_gave_text(row, kind, ends))
    return view


def _credits(row: Row, sentences: Sequence[Row]) -> dict[tuple[str, str], int]:
    """(figure, end) → index of the first sentence that printed the incident's value."""
    found = {}
    for kind in FIGURES:
        for end in ENDS:
            value = row[f"{kind}_{end}"]
            printed = [n for n, e in enumerate(sentences) if e[f"{kind}_{end}"] == value]
            if value is not None and printed:
                found[kind, end] = printed[0]
    return found


def _ends_by_sentence(credited: dict[tuple[str, str], int]) -> dict[tuple[int, str], list[str]]:
    """(sentence index, figure) → the ends of that figure the sentence gave, best first."""
    ends: dict[tuple[int, str], list[str]] = {}
    for (kind, end), index in credited.items():
        ends.setdefault((index, kind), []).append(end)
    return dict(sorted(ends.items(), key=lambda item: (item[0][0], FIGURES.index(item[0][1]))))


def _gave_text(row: Row, kind: str, ends: Sequence[str]) -> str:
    """``killed 21`` when the incident's figure is one number, else ``killed best 2, high 2``."""
    if len({row[f"{kind}_{end}"] for end in ENDS} - {None}) == 1:
        return f"{kind} {row[f'{kind}_{ends[0]}']}"
    return f"{kind} " + ", ".join(f"{end} {row[f'{kind}_{end}']}" for end in ends)


def _citation(evidence: Row, anchor: str) -> dict[str, Any]:
    """A sentence with its outlet; linked only when its URL is http(s)."""
    url = evidence["url"]
    return {
        "anchor": anchor,
        "sentence": evidence["sentence"],
        "outlet": outlet(evidence),
        "url": url,
        "href": evidence_link(url, evidence["sentence"]) if is_http_url(url) else None,
        "gave": [],
    }
