"""What every report says about an incident, in words, and the daily report as markdown.

Analysts judge a figure by the sentence it came from, so every incident lists its evidence
sentences linked to the article (with a text fragment that highlights the sentence in browsers
that support it), under the outlet's name. Everything shown came from pages, so it is escaped,
and only http(s) URLs become links (an archive line may say ``javascript:...``); the others are
shown as text. Sentences are shown as they were printed, without quotation marks of our own:
many already open or close with one. The HTML page is ``tasks/report/page.py``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tasks.dedupe.urls import is_http_url

Row = Mapping[str, Any]
FRAGMENT_WORDS = 4
UNNAMED = "unnamed"
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
    sentences = by_incident(evidence)
    lines = [f"# Incidents reported for {day.isoformat()}", "", summary_line(incidents), ""]
    if incidents:
        lines += ["| Event | Place | Actor 1 → actor 2 | Killed | Injured | Claim | Articles "
                  "| Evidence |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for row in incidents:
        cited = "<br>".join(
            f"{_md_citation(e)}: *{_md(e['sentence'])}*" for e in sentences[row["incident_id"]]
        )
        lines.append(
            f"| {_md(row['sub_event_type'])} | {_md(place_text(row))} | {_md(actors_text(row))} "
            f"| {figure_text(row, 'killed')} | {figure_text(row, 'injured')} "
            f"| {_md(claim_text(row))} | {row['num_articles']} | {cited} |"
        )
    return "\n".join(lines) + "\n"


def write_report(out_dir: Path, name: str, html: str) -> Path:
    """Write ``name`` (an HTML page) into ``out_dir`` (created if missing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    path.write_text(html, encoding="utf-8")
    return path


def outlet(evidence: Row) -> str:
    """The outlet's name as ``sources`` records it, else the source id."""
    return evidence.get("source_name") or evidence["source_id"]


def summary_line(incidents: Sequence[Row]) -> str:
    """The counts ``daily_summary`` keeps, in words: contested and loosely dated ones apart."""
    killed = sum(row["killed_best"] or 0 for row in incidents)
    contested = sum(is_contested(row) for row in incidents)
    imprecise = sum(row["time_precision"] > 1 for row in incidents)
    loose = f", {imprecise} dated only to the week or month" if imprecise else ""
    return (f"{len(incidents)} incidents, {killed} killed (best), "
            f"{contested} contested (denied or disputed){loose}.")  # fmt: skip


def is_contested(row: Row) -> bool:
    """Someone denied it: claim status ``denied`` or ``disputed``."""
    return row["claim_status"] in ("denied", "disputed")


def place_text(row: Row) -> str:
    """``location, admin1, country`` as far as known, ``?`` when unplaced."""
    return ", ".join(p for p in (row["location"], row["admin1"], row["country"]) if p) or "?"


def actors_text(row: Row) -> str:
    """``actor1 → actor2`` in ACLED's roles (the one who acted, then the one acted on or the other
    side), an unnamed side said so: a target is never shown in the initiator's place."""
    if not row["actor1"] and not row["actor2"]:
        return "–"
    return f"{row['actor1'] or UNNAMED} → {row['actor2'] or UNNAMED}"


def claim_text(row: Row) -> str:
    """The claim status with who claimed and who denied."""
    parties = "; ".join(
        f"{role} {row[field]}"
        for role, field in (("claimed by", "claimed_by"), ("denied by", "denied_by"))
        if row[field]
    )  # fmt: skip
    return f"{row['claim_status']} ({parties})" if parties else row["claim_status"]


def _md_citation(evidence: Row) -> str:
    """``_html_citation`` in markdown."""
    source, url = outlet(evidence), evidence["url"]
    if not is_http_url(url):
        return f"{_md(source)} ({_md(url)})"
    target = evidence_link(url, evidence["sentence"]).translate(LINK_TARGET_ESCAPES)
    return f"[{_md(source)}]({target})"


def by_incident(evidence: Sequence[Row]) -> dict[str, list[Row]]:
    """Evidence rows grouped per incident, in their order."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in evidence:
        grouped[row["incident_id"]].append(row)
    return grouped


def _fragment_part(text: str) -> str:
    """Percent-encode for a text fragment, where ``-``, ``,`` and ``&`` are syntax."""
    return quote(text, safe="").replace("-", "%2D")


def _md(text: str) -> str:
    """Page text shown as itself in markdown: no markup, links, HTML or table breaks."""
    return MARKDOWN_SYNTAX.sub(r"\\\1", escape(text, quote=False)).replace("\n", " ")
