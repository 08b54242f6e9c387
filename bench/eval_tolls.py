"""How well the casualty figures alone reproduce ACLED's ``fatalities`` from ACLED's notes.

This isolates the toll reader (``tasks.incidents.quantities``) from the rest of extraction: each
note is one incident, split into sentences, every sentence's figures found with
``find_figures`` and combined with ``combine``; ``killed_low`` (None as 0) is compared with
``fatalities``. Notes saying "coded as" are left out, as in ``bench.eval_acled`` (a coder's
convention, not text a reporter writes). The end-to-end figure is lower: there the figures
must also land on the right incident.

- exact: share of notes whose killed_low equals ``fatalities``; exact_with_deaths: the same
  over the notes where ACLED counted deaths.
- errors: misses by kind (missed: we found no death, ACLED did; spurious: the reverse; under
  and over: both found deaths, ours fewer or more).

    python -m bench.eval_tolls --eval-dir ../shared/eval [--misses /tmp/misses.jsonl]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from bench.eval_acled import load_notes
from bench.eval_incidents import eval_dir_from_env
from tasks.incidents.lexicons import Lexicons
from tasks.incidents.quantities import combine, find_figures
from tasks.incidents.sentences import split_sentences


def note_killed(note: str, lex: Lexicons) -> int:
    """The killed_low of a note read as one incident, None counted as 0."""
    sentences = split_sentences(note, lex)
    return combine([find_figures(s.text, lex) for s in sentences], "killed").low or 0


def error_kind(ours: int, theirs: int) -> str | None:
    """How a note's figure is wrong, or None when it is right."""
    if ours == theirs:
        return None
    if ours == 0:
        return "missed"
    if theirs == 0:
        return "spurious"
    return "under" if ours < theirs else "over"


def evaluate(eval_dir: Path, misses: Path | None = None) -> dict[str, Any]:
    """The shares and error counts the module docstring defines."""
    rows = [row for row in load_notes(eval_dir) if "coded as" not in row["notes"].lower()]
    lex = Lexicons.load()
    found = [note_killed(row["notes"], lex) for row in rows]
    truth = [int(row["fatalities"]) for row in rows]
    kinds = [error_kind(ours, theirs) for ours, theirs in zip(found, truth, strict=True)]
    with_deaths = [kind for kind, theirs in zip(kinds, truth, strict=True) if theirs > 0]
    if misses is not None:
        with misses.open("w", encoding="utf-8") as handle:
            for row, ours, kind in zip(rows, found, kinds, strict=True):
                if kind is not None:
                    line = {"kind": kind, "ours": ours, "acled": row["fatalities"]}
                    handle.write(json.dumps(line | {"notes": row["notes"]}) + "\n")
    return {
        "notes": len(rows),
        "exact": round(kinds.count(None) / len(rows), 3),
        "notes_with_deaths": len(with_deaths),
        "exact_with_deaths": round(with_deaths.count(None) / len(with_deaths), 3),
        "errors": dict(Counter(kind for kind in kinds if kind is not None).most_common()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=eval_dir_from_env())
    parser.add_argument("--misses", type=Path, help="write each wrong note here (JSON lines)")
    args = parser.parse_args()
    print(json.dumps(evaluate(args.eval_dir, args.misses), indent=2))


if __name__ == "__main__":
    main()
