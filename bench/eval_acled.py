"""How well incident extraction reproduces ACLED's coding from ACLED's own notes.

Each row of ``acled-dev/acled-2020-dev.csv`` is one event with the coder's note. Every note is
read as one article published at 09:00 UTC the day after ``event_date`` (the metric of
``../shared/eval/README.md``), through the same row builder ``newsdesk incidents --jsonl``
prints, and scored per note:

- no_incident: share of notes with no incident at all.
- event_type / sub_event_type: some incident of the note has ACLED's type.
- date: some incident has ACLED's ``event_date``.
- place: some incident's ``location`` equals ACLED's (case, accents, punctuation ignored) or
  lies within 25 km of ACLED's coordinates.
- fatalities_exact: the sum of ``killed_low`` (NULL as 0) equals ACLED's ``fatalities``, over the
  notes without "coded as" (a coder's convention, not text a reporter writes); also over those
  of them where ACLED counted deaths.
- per_type: note-level precision and recall of each event type (predicted = the types of the
  note's incidents).

The type model (``config/models``) was fitted to these very notes, so scoring the shipped model
here would flatter it. With ``--folds K`` (the default, 5) each note is read by a reader whose
model was fitted to the other folds only (``bench.train_types.fit``, same folds and seed as the
model card); ``--folds 0`` reads every note with the shipped reader (in-sample: for comparison,
never to report).

    python -m bench.eval_acled --eval-dir ../shared/eval [--limit 500] [--errors out.jsonl]
        [--folds 5] [--min-probability 0.5]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.eval_incidents import eval_dir_from_env
from flows.commands.incidents import incident_record
from tasks.incidents.extract import extract_incidents
from tasks.incidents.reader import IncidentReader, default_reader

ACLED_FILE = Path("acled-dev") / "acled-2020-dev.csv"
PLACE_RADIUS_KM = 25.0
_NOT_WORD = re.compile(r"[\W_]+")


def load_notes(eval_dir: Path, limit: int | None = None) -> list[dict[str, str]]:
    """ACLED events (rows with a date and a note), optionally the first ``limit`` of them."""
    with (eval_dir / ACLED_FILE).open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["event_date"] and row["notes"]]
    return rows[:limit] if limit else rows


def event_day(row: dict[str, str]) -> date:
    """ACLED writes ``4-Oct-20``."""
    return datetime.strptime(row["event_date"], "%d-%b-%y").date()


def published_at(row: dict[str, str]) -> datetime:
    """09:00 UTC the day after the event, as the metric prescribes."""
    return datetime.combine(event_day(row) + timedelta(days=1), datetime.min.time()).replace(hour=9)


def place_key(name: str | None) -> str:
    """'Rafaḩ', 'rafah' and 'Rafah.' compare equal."""
    folded = unicodedata.normalize("NFKD", name or "")
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _NOT_WORD.sub("", folded.lower())


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def records_of(row: dict[str, str], reader: IncidentReader) -> list[dict[str, Any]]:
    """The incident rows ``newsdesk incidents`` would print for this note."""
    published = published_at(row)
    return [
        incident_record(incident, published, None)
        for incident in extract_incidents(row["notes"], published, reader=reader)
    ]


def fold_readers(
    rows: list[dict[str, str]], folds: int, min_probability: float | None
) -> list[IncidentReader]:
    """Each note's reader: with ``folds``, one whose type model never saw the note."""
    shipped = default_reader()
    threshold = shipped.min_probability if min_probability is None else min_probability
    if not folds:
        return [replace(shipped, min_probability=threshold)] * len(rows)
    from bench.train_types import fit, held_out_folds, note_of  # scikit-learn: training only

    notes = [note_of(row, shipped.lexicons) for row in rows]
    readers: list[IncidentReader] = [shipped] * len(rows)
    for train, test in held_out_folds(notes, folds):
        model = fit([notes[i] for i in train])
        reader = replace(shipped, model=model, min_probability=threshold)
        for i in test:
            readers[i] = reader
    return readers


def _same_place(row: dict[str, str], record: dict[str, Any]) -> bool:
    if record["location"] and place_key(record["location"]) == place_key(row["location"]):
        return True
    if record["latitude"] is None or not row["latitude"]:
        return False
    return (
        distance_km(
            float(row["latitude"]),
            float(row["longitude"]),
            record["latitude"],
            record["longitude"],
        )
        <= PLACE_RADIUS_KM
    )


def score_note(row: dict[str, str], records: list[dict[str, Any]]) -> dict[str, Any]:
    """The per-note outcomes the module docstring defines."""
    day = event_day(row).isoformat()
    scored = "coded as" not in row["notes"].lower()
    killed = sum(r["killed_low"] or 0 for r in records)
    return {
        "no_incident": not records,
        "event_type": any(r["event_type"] == row["event_type"] for r in records),
        "sub_event_type": any(r["sub_event_type"] == row["sub_event_type"] for r in records),
        "date": any(r["event_date"] == day for r in records),
        "place": any(_same_place(row, r) for r in records),
        "scored": scored,
        "deaths": scored and int(row["fatalities"]) > 0,
        "fatalities_exact": scored and killed == int(row["fatalities"]),
        "types": sorted({r["event_type"] for r in records}),
        "killed": killed,
    }


def summarise(rows: list[dict[str, str]], outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """Shares over all notes (fatalities: over the scored notes), and per-type P/R."""
    total = len(outcomes)
    scored = [o for o in outcomes if o["scored"]]
    deaths = [o for o in scored if o["deaths"]]
    return {
        "notes": total,
        **{
            name: _share(sum(o[name] for o in outcomes), total)
            for name in ("no_incident", "event_type", "sub_event_type", "date", "place")
        },
        "fatalities_exact": _share(sum(o["fatalities_exact"] for o in scored), len(scored)),
        "fatalities_exact_with_deaths": _share(
            sum(o["fatalities_exact"] for o in deaths), len(deaths)
        ),
        "per_type": per_type(rows, outcomes),
    }


def per_type(rows: list[dict[str, str]], outcomes: list[dict[str, Any]]) -> dict[str, dict]:
    """Note-level precision and recall of each ACLED event type."""
    truth = Counter(row["event_type"] for row in rows)
    predicted: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for row, outcome in zip(rows, outcomes, strict=True):
        for kind in outcome["types"]:
            predicted[kind] += 1
            hits[kind] += kind == row["event_type"]
    return {
        kind: {
            "notes": truth[kind],
            "precision": _share(hits[kind], predicted[kind]),
            "recall": _share(hits[kind], truth[kind]),
        }
        for kind in sorted(truth)
    }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def evaluate(
    eval_dir: Path,
    limit: int | None = None,
    errors: Path | None = None,
    folds: int = 5,
    min_probability: float | None = None,
) -> dict[str, Any]:
    """The figures for the first ``limit`` notes (all by default), cross-validated."""
    rows = load_notes(eval_dir, limit)
    readers = fold_readers(rows, folds, min_probability)
    started = time.perf_counter()
    extracted = [records_of(row, reader) for row, reader in zip(rows, readers, strict=True)]
    elapsed = time.perf_counter() - started
    outcomes = [score_note(row, records) for row, records in zip(rows, extracted, strict=True)]
    if errors is not None:
        _write_errors(errors, rows, extracted, outcomes)
    return {
        **summarise(rows, outcomes),
        "folds": folds,
        "notes_per_second": round(len(rows) / elapsed, 1),
    }


def _write_errors(
    path: Path,
    rows: Iterable[dict[str, str]],
    extracted: Iterable[list[dict]],
    outcomes: Iterable[dict],
) -> None:
    """One JSON line per note with ACLED's coding beside ours, for error analysis."""
    keep = ("event_type", "sub_event_type", "location", "admin1", "country", "fatalities")
    ours = ("event_type", "sub_event_type", "event_date", "location", "admin1", "country")
    with path.open("w", encoding="utf-8") as handle:
        for row, records, outcome in zip(rows, extracted, outcomes, strict=True):
            line = {
                "id": row["data_id"],
                "notes": row["notes"],
                "acled": {k: row[k] for k in keep} | {"event_date": event_day(row).isoformat()},
                "outcome": {k: v for k, v in outcome.items() if k != "types"},
                "ours": [
                    {k: r[k] for k in ours} | {"killed_low": r["killed_low"]} for r in records
                ],
            }
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


def main() -> None:
    """Print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=eval_dir_from_env())
    parser.add_argument("--limit", type=int, default=None, help="Only the first N notes.")
    parser.add_argument("--errors", type=Path, default=None, help="Write per-note JSON lines.")
    parser.add_argument("--folds", type=int, default=5, help="0: the shipped model, in-sample.")
    parser.add_argument("--min-probability", type=float, default=None)
    args = parser.parse_args()
    figures = evaluate(args.eval_dir, args.limit, args.errors, args.folds, args.min_probability)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
