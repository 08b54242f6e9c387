"""``make bench``: pages per second of the whole ingest next to the extractor alone.

On the shared evaluation pages (381 real news pages read as an ``archive`` source), it times
bare ``trafilatura.extract``, our ``clean_page`` (one parse for text, metadata and every date
signal), and the ``ingest`` flow in Prefect's local mode end to end (store raw pages, clean,
date, dedupe, load, then the ``summarize`` subflow), with the flow's fixed cost measured on an
empty source. Figures are wall-clock on whatever else the machine is doing: compare ratios.

    .venv/bin/python -m bench.throughput --eval-dir ../shared/eval
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

from tasks.records import RawPage
from tasks.text.clean import clean_page

SETS = ("extraction/html", "pubdates/html")


def pages(eval_dir: Path) -> list[Path]:
    return sorted(p for name in SETS for p in (eval_dir / name).glob("*.html.gz"))


def extractor_rates(files: list[Path]) -> dict[str, float]:
    """Pages/second of trafilatura alone and of our cleaning stage, on bytes already in memory."""
    bodies = [gzip.decompress(f.read_bytes()) for f in files]
    started = time.perf_counter()
    for body in bodies:
        trafilatura.extract(body.decode("utf-8", "replace"))
    bare = time.perf_counter() - started
    now = datetime.now(UTC)
    started = time.perf_counter()
    for index, body in enumerate(bodies):
        clean_page(RawPage(f"https://bench.test/{index}", "bench", body, now))
    ours = time.perf_counter() - started
    return {
        "trafilatura.extract": round(len(bodies) / bare, 1),
        "clean_page": round(len(bodies) / ours, 1),
    }


def flow_rates(eval_dir: Path, count: int) -> dict[str, float]:
    """Seconds for an ingest of nothing (the fixed cost) and of every page, and the page rate."""
    from flows.ingest import ingest

    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        empty = work_dir / "empty"
        empty.mkdir()
        folders = [str((eval_dir / name).resolve()) for name in SETS]
        config = work_dir / "sources.yaml"
        entries = [f"  - {{id: set{i}, kind: archive, path: '{f}'}}" for i, f in enumerate(folders)]
        entries.append(f"  - {{id: nothing, kind: archive, path: '{empty}'}}")
        config.write_text("sources:\n" + "\n".join(entries) + "\n")
        db = str(work_dir / "bench.duckdb")
        ingest(sources=["nothing"], sources_file=str(config), db_path=db)  # server start-up
        fixed = _timed(lambda: ingest(sources=["nothing"], sources_file=str(config), db_path=db))
        started = time.perf_counter()
        counts = ingest(sources=["set0", "set1"], sources_file=str(config), db_path=db)
        whole = time.perf_counter() - started
    if counts["pages_processed"] != count:
        raise SystemExit(f"the flow processed {counts['pages_processed']} of {count}: {counts}")
    return {
        "fixed_cost_seconds": round(fixed, 2),
        "ingest_seconds": round(whole, 2),
        "ingest_pages_per_second": round(count / whole, 1),
        "ingest_pages_per_second_after_fixed_cost": round(count / (whole - fixed), 1),
    }


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=Path("../shared/eval"))
    args = parser.parse_args()
    files = pages(args.eval_dir)
    if not files:
        raise SystemExit(f"no *.html.gz pages under {args.eval_dir}/{{{','.join(SETS)}}}")
    report = {"pages": len(files), "extractor": extractor_rates(files)}
    report["flow"] = flow_rates(args.eval_dir, len(files))
    report["ingest_vs_trafilatura"] = round(
        report["flow"]["ingest_pages_per_second_after_fixed_cost"]
        / report["extractor"]["trafilatura.extract"],
        2,
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
