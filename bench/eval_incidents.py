"""How well incident extraction reproduces UCDP GED for Ukraine 2014-2021 from its headlines.

Each UCDP event lists the wire headlines that reported it. We run the extractor on every
headline (published on its source date) and compare with the event's own coding:

- killed_in_range: share of events whose extracted killed figure lies in UCDP's low..high.
  Several headlines of one event restate or update one figure, so the event's figure is the
  largest killed figure (best, else low, else high) extracted from any of its headlines.
- killed_coverage: share of events with any killed figure extracted.
- admin1_match / admin1_coverage: share of events (with an adm_1) whose first extracted
  admin1 equals UCDP's, after normalising ("Donetsk oblast" = "Donetsk", Kiev = Kyiv).
- oblast_day_agreement / oblast_day_correlation: daily event counts per oblast, ours (distinct
  incident keys) against UCDP's (events by date_start), over the oblast-days either side has.
- articles_per_second: headlines processed per second, gazetteer already loaded.
- ceiling_*: what any reader of these headlines could reach at most (``--ceiling``): an event
  counts when some headline says someone died and holds a number (or "a", a vague amount, a
  lone death: 1) inside UCDP's low..high; or names a place of UCDP's admin1 (any namesake the
  gazetteer holds), with and without requiring the headline to report anything at all.
- seed_articles_per_second: full articles per second, the seed report (``../seed``, 2,500
  characters) extracted repeatedly; printed by the command, not part of ``evaluate``.

    python -m bench.eval_incidents --eval-dir /work/shared/eval [--limit 500] [--ceiling]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import statistics
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from tasks.incidents.extract import extract_incidents
from tasks.incidents.gazetteer import Gazetteer
from tasks.incidents.model import Incident
from tasks.incidents.quantities import parse_number
from tasks.incidents.reader import IncidentReader, default_reader

UCDP_FILE = Path("conflict-ukraine") / "ucdp-ged-ukraine-2014-2021.csv"
SEED_FILE = Path("seed") / "000_705da89ffcbe6bb3.txt"  # beside the eval folder
SEED_REPEATS = 200
DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
_ADMIN1_NOISE = re.compile(r"\b(?:oblast|region|special republican city|city|rayon)\b")
_ADMIN1_SPELLINGS = {"kyiv": "kiev", "lugansk": "luhansk", "odesa": "odessa"}


def eval_dir_from_env() -> Path:
    """NEWSDESK_EVAL_DIR, else the shared folder beside the repository."""
    return Path(os.environ.get("NEWSDESK_EVAL_DIR", DEFAULT_EVAL_DIR))


def normalise_admin1(name: str | None) -> str | None:
    """'Donetsk oblast' and 'Donetsk', 'Kiev Special Republican city' and 'Kyiv' compare equal."""
    if not name:
        return None
    cleaned = _ADMIN1_NOISE.sub("", name.lower()).strip(" '")
    return _ADMIN1_SPELLINGS.get(cleaned, cleaned) or None


def load_events(eval_dir: Path, limit: int | None = None) -> list[dict[str, str]]:
    """UCDP rows without the HXL tag row, optionally the first ``limit`` of them."""
    with (eval_dir / UCDP_FILE).open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["id"]]
    return rows[:limit] if limit else rows


def headlines(event: dict[str, str]) -> list[tuple[str, datetime]]:
    """Each headline with its source date (the event's start date when dates are missing)."""
    titles = [t.strip() for t in event["source_headline"].split(";")]
    dates = event["source_date"].split(";")
    fallback = event["date_start"][:10]
    return [
        (
            title,
            datetime.fromisoformat((dates[i] if i < len(dates) and dates[i] else fallback)[:10]),
        )
        for i, title in enumerate(titles)
        if title
    ]


def evaluate(eval_dir: Path, limit: int | None = None) -> dict[str, float]:
    """The figures of the module docstring for the first ``limit`` events (all by default)."""
    events = load_events(eval_dir, limit)
    reader = default_reader()
    started, processed = time.perf_counter(), 0
    extracted: list[list[Incident]] = []
    for event in events:
        found: list[Incident] = []
        for title, published in headlines(event):
            found.extend(extract_incidents(title, published, reader=reader))
            processed += 1
        extracted.append(found)
    elapsed = time.perf_counter() - started
    return {
        "events": len(events),
        "headlines": processed,
        **_killed_scores(events, extracted),
        **_admin1_scores(events, extracted),
        **_daily_scores(events, extracted),
        "articles_per_second": round(processed / elapsed, 1) if elapsed else 0.0,
    }


def _killed(incidents: list[Incident]) -> int | None:
    values = [
        next((v for v in (i.killed.best, i.killed.low, i.killed.high) if v is not None), None)
        for i in incidents
    ]
    values = [v for v in values if v is not None]
    return max(values) if values else None


def _killed_scores(events: list[dict], extracted: list[list[Incident]]) -> dict[str, float]:
    figures = [_killed(found) for found in extracted]
    in_range = [
        f is not None and int(e["low"]) <= f <= int(e["high"])
        for e, f in zip(events, figures, strict=True)
    ]
    covered = sum(f is not None for f in figures)
    return {
        "killed_in_range": _share(sum(in_range), len(events)),
        "killed_coverage": _share(covered, len(events)),
        "killed_in_range_when_extracted": _share(sum(in_range), covered),
    }


def _admin1_scores(events: list[dict], extracted: list[list[Incident]]) -> dict[str, float]:
    pairs = [
        (
            normalise_admin1(e["adm_1"]),
            next((normalise_admin1(i.admin1) for i in found if i.admin1), None),
        )
        for e, found in zip(events, extracted, strict=True)
        if e["adm_1"]
    ]
    matched = sum(ours == theirs for theirs, ours in pairs)
    covered = sum(ours is not None for _, ours in pairs)
    return {
        "admin1_match": _share(matched, len(pairs)),
        "admin1_coverage": _share(covered, len(pairs)),
        "admin1_match_when_extracted": _share(matched, covered),
    }


def _daily_scores(events: list[dict], extracted: list[list[Incident]]) -> dict[str, float]:
    theirs = Counter(
        (normalise_admin1(e["adm_1"]), date.fromisoformat(e["date_start"][:10]))
        for e in events
        if e["adm_1"]
    )
    keys = {
        (normalise_admin1(i.admin1), i.event_date, i.incident_key)
        for found in extracted
        for i in found
        if i.admin1
    }
    ours = Counter((admin1, day) for admin1, day, _ in keys)
    cells = sorted(set(theirs) | set(ours))
    pairs = [(theirs[c], ours[c]) for c in cells]
    correlation = (
        statistics.correlation(*zip(*pairs, strict=True))
        if len(pairs) > 1 and len({p[1] for p in pairs}) > 1
        else 0.0
    )
    return {
        "oblast_day_agreement": _share(sum(a == b for a, b in pairs), len(pairs)),
        "oblast_day_correlation": round(correlation, 3),
    }


def ceilings(events: list[dict[str, str]], reader: IncidentReader) -> dict[str, float]:
    """Generous upper bounds of ``killed_in_range`` and ``admin1_match`` for these headlines.

    Every number of a headline that reports a death counts as a candidate figure, and every
    place any capitalised phrase may mean as a candidate admin1, so no extractor that reads the
    headlines can do better; "admin1_any_headline" also lets a bare place name count, which
    names a place but reports no event.
    """
    lex, gazetteer = reader.lexicons, reader.gazetteer
    deaths = lex.words(lex["quantities"]["killed"])
    reports = lex.regex(
        "|".join(
            [deaths.pattern, *(lex.words(e["pattern"]).pattern for e in lex["events"]["triggers"])]
        )
    )
    vague = set(lex["quantities"]["vague_amounts"].values())
    killed = admin1 = admin1_bare = scored = 0
    for event in events:
        titles = [title for title, _ in headlines(event)]
        figures = {n for t in titles if deaths.search(t) for n in _numbers(t) | vague | {1}}
        killed += any(int(event["low"]) <= n <= int(event["high"]) for n in figures)
        if not event["adm_1"]:
            continue
        scored += 1
        wanted = normalise_admin1(event["adm_1"])
        named = [t for t in titles if _names_admin1(t, wanted, gazetteer)]
        admin1 += any(reports.search(t) for t in named)
        admin1_bare += bool(named)
    return {
        "ceiling_killed_in_range": _share(killed, len(events)),
        "ceiling_admin1_reported": _share(admin1, scored),
        "ceiling_admin1_any_headline": _share(admin1_bare, scored),
    }


def _numbers(text: str) -> set[int]:
    words = re.findall(r"\d{1,3}(?:,\d{3})+|\d+|[A-Za-z]+(?:-[A-Za-z]+)?", text)
    return {n for w in words if (n := parse_number(w)) is not None}


def _names_admin1(title: str, wanted: str | None, gazetteer: Gazetteer) -> bool:
    """Whether some run of up to four capitalised words may mean a place in ``wanted``."""
    words = re.findall(r"[A-Z][\w'’-]*", title)
    spans = {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, i + 5)}
    return any(
        normalise_admin1(admin1) == wanted
        for span in spans
        for place in gazetteer.candidates(span.removesuffix("'s").removesuffix("’s"))
        for admin1 in {place.admin1, *gazetteer.region_provinces.get(place.location, ())}
    )


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def seed_articles_per_second(eval_dir: Path) -> float | None:
    """Whole-article speed on the seed report (its first words are ``date YYYY-MM-DD``)."""
    seed = eval_dir.parent / SEED_FILE
    if not seed.exists():
        return None
    header = re.match(r"\s*date (\d{4}-\d{2}-\d{2}) ", seed.read_text(encoding="utf-8"))
    if header is None:
        return None
    text, published = header.string[header.end() :], datetime.fromisoformat(header.group(1))
    reader = default_reader()
    started = time.perf_counter()
    for _ in range(SEED_REPEATS):
        extract_incidents(text, published, reader=reader, timezone="Asia/Baku")
    return round(SEED_REPEATS / (time.perf_counter() - started), 1)


def main() -> None:
    """Print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=eval_dir_from_env())
    parser.add_argument("--limit", type=int, default=None, help="Only the first N events.")
    parser.add_argument(
        "--ceiling", action="store_true", help="Also the most any reader could reach."
    )
    args = parser.parse_args()
    figures = evaluate(args.eval_dir, args.limit)
    if args.ceiling:
        figures |= ceilings(load_events(args.eval_dir, args.limit), default_reader())
    figures["seed_articles_per_second"] = seed_articles_per_second(args.eval_dir)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
