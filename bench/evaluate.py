"""``make eval``: every quality figure newsdesk reports, on the shared evaluation sets.

Extraction F1 (4-token shingles) and publication-date accuracy (``bench.eval_text``), and the
incident figures against UCDP (``bench.eval_incidents``) and ACLED's notes
(``bench.eval_acled``). Each part runs when its folder is
there, so ``make eval EVAL=path/to/pubdates`` scores just that folder. Run by hand::

    .venv/bin/python -m bench.evaluate --eval-dir ../shared/eval
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench import eval_acled, eval_incidents, eval_text

UCDP_FILE = Path("conflict-ukraine") / "ucdp-ged-ukraine-2014-2021.csv"


def evaluate(eval_dir: Path) -> dict[str, dict]:
    """The figures for every evaluation set found under ``eval_dir`` (or that it is)."""
    report: dict[str, dict] = {}
    if (eval_dir / "extraction" / "ground-truth.json").exists() or _is_extraction(eval_dir):
        report["extraction"] = eval_text.extraction_scores(eval_dir)
    if (eval_dir / "pubdates" / "ground-truth.json").exists() or _is_pubdates(eval_dir):
        report["pubdates"] = eval_text.pubdate_scores(eval_dir)
    if (eval_dir / UCDP_FILE).exists():
        report["incidents"] = eval_incidents.evaluate(eval_dir)
    if (eval_dir / eval_acled.ACLED_FILE).exists():
        report["acled"] = eval_acled.evaluate(eval_dir)
    if not report:
        raise SystemExit(f"no evaluation set found in {eval_dir}")
    return report


def _is_extraction(folder: Path) -> bool:
    return (folder / "baselines").is_dir() and (folder / "ground-truth.json").exists()


def _is_pubdates(folder: Path) -> bool:
    return (folder / "ground-truth.json").exists() and not (folder / "baselines").is_dir()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=Path("../shared/eval"))
    args = parser.parse_args()
    print(json.dumps(evaluate(args.eval_dir), indent=2))


if __name__ == "__main__":
    main()
