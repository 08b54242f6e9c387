"""``make eval``: every quality figure newsdesk reports, on the shared evaluation sets.

Extraction F1 (4-token shingles) and publication-date accuracy (``bench.eval_text``), the
incident figures against UCDP (``bench.eval_incidents``) and ACLED's notes (``bench.eval_acled``,
cross-validated: each note read with a type model fitted to the other folds), and the type
model's own cross-validated figures (``bench.train_types``). Each part runs when its folder is
there, so ``make eval EVAL=path/to/pubdates`` scores just that folder. Prints the figures as JSON,
then as tables. Run by hand::

    .venv/bin/python -m bench.evaluate --eval-dir ../shared/eval
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench import eval_acled, eval_incidents, eval_text

UCDP_FILE = Path("conflict-ukraine") / "ucdp-ged-ukraine-2014-2021.csv"
ACLED_ROWS = (
    ("no incident at all", "no_incident"),
    ("event type", "event_type"),
    ("sub-event type", "sub_event_type"),
    ("date", "date"),
    ("place (name, or within 25 km)", "place"),
    ("fatalities exact", "fatalities_exact"),
    ("fatalities exact where ACLED counted deaths", "fatalities_exact_with_deaths"),
)


def evaluate(eval_dir: Path) -> dict[str, dict]:
    """The figures for every evaluation set found under ``eval_dir`` (or that it is)."""
    report: dict[str, dict] = {}
    if (eval_dir / "extraction" / "ground-truth.json").exists() or _is_extraction(eval_dir):
        report["extraction"] = eval_text.extraction_scores(eval_dir)
    if (eval_dir / "pubdates" / "ground-truth.json").exists() or _is_pubdates(eval_dir):
        report["pubdates"] = eval_text.pubdate_scores(eval_dir)
    if (eval_dir / UCDP_FILE).exists():
        report["incidents"] = eval_incidents.evaluate(eval_dir) | eval_incidents.ceilings(
            eval_incidents.load_events(eval_dir), eval_incidents.default_reader()
        )
    if (eval_dir / eval_acled.ACLED_FILE).exists():
        report["acled"] = eval_acled.evaluate(eval_dir)
        report["type_model"] = _type_model(eval_dir)
    if not report:
        raise SystemExit(f"no evaluation set found in {eval_dir}")
    return report


def _type_model(eval_dir: Path) -> dict[str, Any]:
    """The model card's cross-validated figures, recomputed (scikit-learn: a dev dependency)."""
    from bench.train_types import cross_validated, figures, load_training_notes

    notes = load_training_notes(eval_dir)
    return figures(notes, cross_validated(notes))


def tables(report: dict[str, dict]) -> str:
    """The incident figures as the issue tracker and the README show them."""
    lines: list[str] = []
    if "extraction" in report:
        ours = report["extraction"]["ours"]
        lines += [
            f"text extraction, {report['extraction']['documents']} pages: F1 {ours['f1']:.4f} "
            f"(P {ours['precision']:.3f}, R {ours['recall']:.3f})"
        ]
    if "pubdates" in report:
        dates = report["pubdates"]
        lines += [
            f"publication date, {dates['pages']} pages: exact local day "
            f"{dates['exact_day_accuracy']:.3f}, no date returned {dates['no_date_share']:.3f}"
        ]
    if "acled" in report:
        acled = report["acled"]
        lines += [f"acled-dev, {acled['notes']} notes ({acled['folds']}-fold for the type model)"]
        lines += ["| figure (share of notes) | value |", "|---|---|"]
        lines += [f"| {label} | {acled[key]:.3f} |" for label, key in ACLED_ROWS]
        lines += ["", "| event type | notes | precision | recall |", "|---|---|---|---|"]
        lines += [
            f"| {kind} | {v['notes']} | {v['precision']:.3f} | {v['recall']:.3f} |"
            for kind, v in acled["per_type"].items()
        ]
    if "type_model" in report:
        model = report["type_model"]
        lines += [
            "",
            "type model alone, 5-fold CV on acled-dev: event type "
            f"{model['event_type_accuracy']:.3f}, sub-event type "
            f"{model['sub_event_type_accuracy']:.3f}, event-type macro-F1 "
            f"{model['event_type_macro_f1']:.3f} (rules alone {model['rule_accuracy']:.3f})",
        ]
    if "incidents" in report:
        ucdp = report["incidents"]
        lines += [
            "",
            f"UCDP GED Ukraine, {ucdp['events']} events: killed in range "
            f"{ucdp['killed_in_range']:.3f}, admin1 {ucdp['admin1_match']:.3f}, daily oblast "
            f"correlation {ucdp['oblast_day_correlation']:.3f}; the most any reader of these "
            f"headlines could reach: killed in range {ucdp['ceiling_killed_in_range']:.3f}, "
            f"admin1 {ucdp['ceiling_admin1_reported']:.3f} "
            f"({ucdp['ceiling_admin1_any_headline']:.3f} if a bare place name were an event)",
        ]
    return "\n".join(lines)


def _is_extraction(folder: Path) -> bool:
    return (folder / "baselines").is_dir() and (folder / "ground-truth.json").exists()


def _is_pubdates(folder: Path) -> bool:
    return (folder / "ground-truth.json").exists() and not (folder / "baselines").is_dir()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=Path("../shared/eval"))
    args = parser.parse_args()
    report = evaluate(args.eval_dir)
    print(json.dumps(report, indent=2))
    print(tables(report))


if __name__ == "__main__":
    main()
