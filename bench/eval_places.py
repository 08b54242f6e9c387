"""How well the gazetteer alone finds the place of each ACLED note, and how fast it loads.

Each note of ``acled-dev`` is read the way extraction reads an article: the article's countries
and regions first, then ``find`` on every sentence. Per note:

- match: some place found in the note has ACLED's ``location`` (folded name equal) or lies
  within 25 km of ACLED's point; an upper bound for the place figure of ``bench.eval_acled``,
  which also needs the right place to be the event's scene.
- none: no place found at all (not even a region).
- wrong_first: the first place found has a point more than 100 km from ACLED's. Admin areas
  have a point (their largest town's) since branch gazetteer2, so a note first placed in a large
  province now counts here where before it counted nowhere (0.139 -> 0.187 with the same picks).
- known: ACLED's location is a name the gazetteer can resolve at all (folded), whatever the text.

Load times: ``load_s`` in this process (a warm cache when one exists); run it once after
``NEWSDESK_GAZETTEER_CACHE=/tmp/empty-dir`` for a cold build.

    python -m bench.eval_places --eval-dir ../shared/eval [--limit 500]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.eval_acled import distance_km, load_notes, place_key
from bench.eval_incidents import eval_dir_from_env
from tasks.incidents.gazetteer import Gazetteer, PlaceMention, load_gazetteer
from tasks.incidents.lexicons import Lexicons
from tasks.incidents.sentences import readable_case, split_sentences

MATCH_KM = 25.0
WRONG_KM = 100.0


def places_in(gazetteer: Gazetteer, lex: Lexicons, text: str) -> list[PlaceMention]:
    """Every place ``find`` reports over the note, with the article context extraction uses."""
    countries = gazetteer.countries_in(readable_case(text, lex))
    regions = gazetteer.regions_in(text, countries)
    provinces = gazetteer.provinces_of(regions)
    steer = frozenset(region.country for region in regions)
    found: list[PlaceMention] = []
    for sentence in split_sentences(text, lex):
        found.extend(gazetteer.find(readable_case(sentence.text, lex), countries, provinces, steer))
    return found


def _km(row: dict[str, str], mention: PlaceMention) -> float | None:
    place = mention.place
    if place.latitude is None or place.longitude is None or not row["latitude"]:
        return None
    return distance_km(
        float(row["latitude"]), float(row["longitude"]), place.latitude, place.longitude
    )


def score(row: dict[str, str], found: list[PlaceMention], known: bool) -> dict[str, bool]:
    """The per-note outcomes the module docstring defines."""
    target = place_key(row["location"])
    distances = [_km(row, m) for m in found]
    first = distances[0] if distances else None
    return {
        "match": any(
            place_key(m.place.location) == target or (d is not None and d <= MATCH_KM)
            for m, d in zip(found, distances, strict=True)
        ),
        "none": not found,
        "wrong_first": first is not None and first > WRONG_KM,
        "known": known,
    }


def evaluate(eval_dir: Path, limit: int | None = None) -> dict[str, Any]:
    """Shares over the notes, the load time and the reading speed."""
    started = time.perf_counter()
    gazetteer, lex = load_gazetteer(), Lexicons.load()
    loaded = time.perf_counter() - started
    rows = load_notes(eval_dir, limit)
    started = time.perf_counter()
    outcomes = [
        score(row, places_in(gazetteer, lex, row["notes"]), gazetteer.knows(row["location"]))
        for row in rows
    ]
    elapsed = time.perf_counter() - started
    total = len(outcomes)
    return {
        "notes": total,
        **{key: round(sum(o[key] for o in outcomes) / total, 3) for key in outcomes[0]},
        "load_s": round(loaded, 2),
        "notes_per_s": round(total / elapsed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=eval_dir_from_env())
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    print(json.dumps(evaluate(args.eval_dir, args.limit), indent=2))


if __name__ == "__main__":
    main()
