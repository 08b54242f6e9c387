"""The daily report: one day's incidents with their evidence, as markdown and as static HTML.

Analysts judge a figure by the sentence it came from, so every incident lists its evidence
sentences linked to the article (with a text fragment that highlights the sentence in browsers
that support it). The HTML is one self-contained file: the chart is inline SVG, no scripts.
Everything shown came from pages, so it is escaped, and only http(s) URLs become links (an
archive line may say ``javascript:...``); the others are shown as text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote

from tasks.dedupe.urls import is_http_url

Row = Mapping[str, Any]
TEMPLATE = Path(__file__).resolve().parent / "templates" / "daily_report.html"
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 720, 180, 28
FRAGMENT_WORDS = 4
MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+!|~])")
# Characters that would end or split a markdown link target, percent-encoded inside it.
LINK_TARGET_ESCAPES = str.maketrans({"(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E"})


def figure_text(row: Row, kind: str) -> str:
    """``best (low–high)``; ``–`` when no article gave a figure."""
    low, best, high = (row.get(f"{kind}_{end}") for end in ("low", "best", "high"))
    if low is None and best is None and high is None:
        return "–"
    shown = str(best) if best is not None else "?"
    if (low, high) not in ((best, best), (None, None)):
        shown += f" ({'?' if low is None else low}–{'?' if high is None else high})"
    return shown


def evidence_link(url: str, sentence: str) -> str:
    """The article URL with a text fragment (``#:~:text=start,end``) pointing at the sentence."""
    words = sentence.split()
    if len(words) <= 2 * FRAGMENT_WORDS:
        fragment = _fragment_part(" ".join(words))
    else:
        start, end = words[:FRAGMENT_WORDS], words[-FRAGMENT_WORDS:]
        fragment = f"{_fragment_part(' '.join(start))},{_fragment_part(' '.join(end))}"
    return f"{url.split('#', 1)[0]}#:~:text={fragment}"


def daily_markdown(day: date, incidents: Sequence[Row], evidence: Sequence[Row]) -> str:
    """The day's report as markdown (a Prefect artifact)."""
    sentences = _by_incident(evidence)
    lines = [f"# Incidents reported for {day.isoformat()}", "", _summary(incidents), ""]
    if incidents:
        lines += ["| Event | Place | Killed | Injured | Claim | Articles | Evidence |",
                  "|---|---|---|---|---|---|---|"]  # fmt: skip
    for row in incidents:
        cited = "<br>".join(
            f"{_md_citation(e)}: “{_md(e['sentence'])}”" for e in sentences[row["incident_id"]]
        )
        lines.append(
            f"| {_md(row['sub_event_type'])} | {_md(_place(row))} | {figure_text(row, 'killed')} "
            f"| {figure_text(row, 'injured')} | {_claim(row)} | {row['num_articles']} | {cited} |"
        )
    return "\n".join(lines) + "\n"


def daily_html(
    day: date, incidents: Sequence[Row], evidence: Sequence[Row], totals: Sequence[Row]
) -> str:
    """The day's report as one static HTML page with a chart of the days up to it."""
    sentences = _by_incident(evidence)
    rows = "\n".join(_html_row(row, sentences[row["incident_id"]]) for row in incidents)
    first, last = (totals[0]["day"], totals[-1]["day"]) if totals else (day, day)
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        day=day.isoformat(),
        summary=escape(_summary(incidents)),
        chart=casualty_chart(totals),
        chart_caption=f"Bars: incidents per day, line: killed (best) per day, {first} to {last}.",
        rows=rows or '<tr><td colspan="8">No incidents reported for this day.</td></tr>',
    )


def write_report(out_dir: Path, day: date, html: str) -> Path:
    """Write ``incidents-YYYY-MM-DD.html`` into ``out_dir`` (created if missing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"incidents-{day.isoformat()}.html"
    path.write_text(html, encoding="utf-8")
    return path


def casualty_chart(totals: Sequence[Row]) -> str:
    """Inline SVG: a bar per day for incidents, a line for killed (best), own scales."""
    if not totals:
        return '<svg role="img" aria-label="no data" width="0" height="0"></svg>'
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD
    step = inner_w / len(totals)
    most_incidents = max(max(t["incidents"] for t in totals), 1)
    most_killed = max(max((t["killed_best"] or 0) for t in totals), 1)
    bars, points = [], []
    for i, t in enumerate(totals):
        x = CHART_PAD + i * step
        height = inner_h * t["incidents"] / most_incidents
        bars.append(
            f'<rect x="{x + 1:.1f}" y="{CHART_PAD + inner_h - height:.1f}" '
            f'width="{max(step - 2, 1):.1f}" height="{height:.1f}" fill="#8aa9c9">'
            f"<title>{t['day']}: {t['incidents']} incidents, "
            f"{t['killed_best'] or 0} killed</title></rect>"
        )
        y = CHART_PAD + inner_h * (1 - (t["killed_best"] or 0) / most_killed)
        points.append(f"{x + step / 2:.1f},{y:.1f}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{CHART_WIDTH}" '
        f'height="{CHART_HEIGHT}" aria-label="incidents and killed per day">'
        + "".join(bars)
        + f'<polyline points="{" ".join(points)}" fill="none" stroke="#b33" stroke-width="2"/>'
        + f'<text x="{CHART_PAD}" y="16" font-size="11">max {most_incidents} incidents / '
        f"{most_killed} killed per day</text>"
        + f'<text x="{CHART_PAD}" y="{CHART_HEIGHT - 8}" font-size="11">{totals[0]["day"]}</text>'
        + f'<text x="{CHART_WIDTH - CHART_PAD}" y="{CHART_HEIGHT - 8}" font-size="11" '
        f'text-anchor="end">{totals[-1]["day"]}</text></svg>'
    )


def _html_row(row: Row, sentences: Sequence[Row]) -> str:
    cited = "".join(
        f"<blockquote>&ldquo;{escape(e['sentence'])}&rdquo; &mdash; {_html_citation(e)}"
        "</blockquote>"
        for e in sentences
    )
    actors = " vs ".join(escape(a) for a in (row["actor1"], row["actor2"]) if a) or "–"
    claim_class = ' class="contested"' if _contested(row) else ""
    return (
        f'<tr id="{row["incident_id"]}"><td>{escape(row["event_type"])}<br>'
        f"<small>{escape(row['sub_event_type'])}</small></td>"
        f"<td>{escape(_place(row))}</td><td>{actors}</td>"
        f'<td class="n">{figure_text(row, "killed")}</td>'
        f'<td class="n">{figure_text(row, "injured")}</td>'
        f"<td{claim_class}>{escape(_claim(row))}</td>"
        f'<td class="n">{row["num_articles"]} / {row["num_sources"]}</td><td>{cited}</td></tr>'
    )


def _html_citation(evidence: Row) -> str:
    """The source linked to the sentence, or, for a URL that is not http(s), both as text."""
    source, url = evidence["source_id"], evidence["url"]
    if not is_http_url(url):
        return f"{escape(source)} ({escape(url)})"
    return f'<a href="{escape(evidence_link(url, evidence["sentence"]))}">{escape(source)}</a>'


def _md_citation(evidence: Row) -> str:
    """``_html_citation`` in markdown."""
    source, url = evidence["source_id"], evidence["url"]
    if not is_http_url(url):
        return f"{_md(source)} ({_md(url)})"
    target = evidence_link(url, evidence["sentence"]).translate(LINK_TARGET_ESCAPES)
    return f"[{_md(source)}]({target})"


def _by_incident(evidence: Sequence[Row]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in evidence:
        grouped[row["incident_id"]].append(row)
    return grouped


def _summary(incidents: Sequence[Row]) -> str:
    """The counts ``daily_summary`` keeps, in words: contested and loosely dated ones apart."""
    killed = sum(row["killed_best"] or 0 for row in incidents)
    contested = sum(_contested(row) for row in incidents)
    imprecise = sum(row["time_precision"] > 1 for row in incidents)
    loose = f", {imprecise} dated only to the week or month" if imprecise else ""
    return (f"{len(incidents)} incidents, {killed} killed (best), "
            f"{contested} contested (denied or disputed){loose}.")  # fmt: skip


def _contested(row: Row) -> bool:
    return row["claim_status"] in ("denied", "disputed")


def _place(row: Row) -> str:
    return ", ".join(p for p in (row["location"], row["admin1"], row["country"]) if p) or "?"


def _claim(row: Row) -> str:
    parties = "; ".join(
        f"{role} {row[field]}"
        for role, field in (("claimed by", "claimed_by"), ("denied by", "denied_by"))
        if row[field]
    )  # fmt: skip
    return f"{row['claim_status']} ({parties})" if parties else row["claim_status"]


def _fragment_part(text: str) -> str:
    """Percent-encode for a text fragment, where ``-``, ``,`` and ``&`` are syntax."""
    return quote(text, safe="").replace("-", "%2D")


def _md(text: str) -> str:
    """Page text shown as itself in markdown: no markup, links, HTML or table breaks."""
    return MARKDOWN_SYNTAX.sub(r"\\\1", escape(text, quote=False)).replace("\n", " ")
