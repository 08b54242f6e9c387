"""``make bench``: every performance figure in one markdown table, with the machine it came from.

Sections (``--only`` picks some, comma-separated; the whole takes a long while):

- ``ingest``: the whole ingest of the republished extraction set next to ``trafilatura.extract``
  alone, the ratio, extraction F1, and where the ingest's time went per stage;
- ``rerun``: a nothing-new re-run next to a trivial Prefect flow, each as its own process;
- ``warehouse``: 1M articles and 300k incidents in a real DuckDB file (``--articles``,
  ``--incidents``, ``--raw-kb`` scale it);
- ``incidents``: incident extraction, texts per second on one core;
- ``near_duplicates``: MinHash dedupe at 100k and 1M articles.

Absolute times drift on a shared machine; ratios are measured side by side in one run. Run it
through ``make bench``, which gives Prefect's temporary server time to start on a busy machine.

    .venv/bin/python -m bench.run_all --eval-dir ../shared/eval [--only ingest,warehouse]
        [--copies 6] [--articles 1000000] [--incidents 300000] [--notes 1000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import incident_rate, ingest_speed, near_duplicates, rerun, warehouse_scale
from bench.table import Figure, machine, markdown


def _ingest(args: argparse.Namespace) -> tuple[dict, list[Figure]]:
    result = ingest_speed.run(args.eval_dir, copies=args.copies)
    return result, ingest_speed.figures(result)


def _rerun(args: argparse.Namespace) -> tuple[dict, list[Figure]]:
    result = rerun.run(repeats=args.repeats)
    return result, rerun.figures(result)


def _warehouse(args: argparse.Namespace) -> tuple[dict, list[Figure]]:
    result = warehouse_scale.run(
        args.scratch, articles=args.articles, incidents=args.incidents, raw_kb=args.raw_kb
    )
    return result, warehouse_scale.figures(result)


def _incidents(args: argparse.Namespace) -> tuple[dict, list[Figure]]:
    result = incident_rate.run(args.eval_dir, notes=args.notes)
    return result, incident_rate.figures(result)


def _near_duplicates(args: argparse.Namespace) -> tuple[dict, list[Figure]]:
    results = [near_duplicates.in_fresh_process(args.eval_dir, n) for n in args.near_articles]
    return {"sizes": results}, near_duplicates.table_rows(results)


SECTIONS: dict[str, Callable[[argparse.Namespace], tuple[dict, list[Figure]]]] = {
    "ingest": _ingest,
    "rerun": _rerun,
    "warehouse": _warehouse,
    "incidents": _incidents,
    "near_duplicates": _near_duplicates,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=Path("../shared/eval"))
    parser.add_argument("--only", type=_sections, default=list(SECTIONS), help=", ".join(SECTIONS))
    parser.add_argument("--copies", type=int, default=6, help="Editions of each page (ingest).")
    parser.add_argument("--repeats", type=int, default=2, help="Timings of each process (rerun).")
    parser.add_argument("--articles", type=int, default=1_000_000, help="Warehouse articles.")
    parser.add_argument("--incidents", type=int, default=300_000, help="Warehouse incidents.")
    parser.add_argument("--raw-kb", type=int, default=4, help="Raw page size in the warehouse.")
    parser.add_argument("--scratch", type=Path, help="Folder for the warehouse (default: /tmp).")
    parser.add_argument(
        "--near-articles", type=int, nargs="+", default=[100_000], help="Near-duplicate sizes."
    )
    parser.add_argument("--notes", type=int, default=1000, help="ACLED notes read (incidents).")
    parser.add_argument("--json", type=Path, help="Also write every section's raw figures here.")
    return parser.parse_args(argv)


def _sections(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - set(SECTIONS))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown sections {unknown}; choose from {list(SECTIONS)}"
        )
    return names


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"Machine: {machine()}", flush=True)
    results: dict[str, Any] = {}
    figures: list[Figure] = []
    for name in args.only:
        results[name], rows = SECTIONS[name](args)
        figures.extend(rows)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(markdown(figures))


if __name__ == "__main__":
    main()
