"""The whole ingest next to ``trafilatura.extract`` alone, on the same pages in the same run.

The corpus is ``bench.corpus`` (the extraction set republished: 1,086 pages by default), read as
an ``archive`` source by the ``ingest`` flow in Prefect's local mode: store the raw pages, clean,
date, dedupe, load, publish, then the ``summarize`` subflow. Prefect's temporary server is
started first by a trivial flow, so its start-up (timed by ``bench.rerun``) is not counted here.
Where the time went comes from the run's own ``stage_seconds`` (``pipeline_runs.counts``).
Extraction F1 on the extraction set is measured beside it, so speed is never bought with
quality.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import trafilatura

from bench import corpus
from bench.eval_text import extraction_scores
from bench.table import Figure, against

TARGET_RATIO = 0.8
F1_BEFORE = 0.9585  # extraction F1 of the cleaner on 2026-11-25 (README, Evaluation)
STAGES = ("discover_fetch", "store", "clean", "date", "dedupe", "load", "publish", "summarize")


def run(eval_dir: Path, copies: int = 6) -> dict[str, Any]:
    """Seconds of both on one corpus, their ratio, the ingest's stages, and extraction F1."""
    from bench.rerun import trivial
    from flows.ingest import ingest

    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as work:
        folder = Path(work)
        pages = corpus.build(eval_dir, folder / "corpus", copies)
        bare = _seconds(lambda: [trafilatura.extract(page) for page in pages])
        sources = folder / "sources.yaml"
        sources.write_text(
            f"sources:\n  - {{id: republished, kind: archive, path: '{folder / 'corpus'}'}}\n"
        )
        trivial()  # starts Prefect's temporary server
        started = time.perf_counter()
        counts = ingest(
            sources=["republished"],
            sources_file=str(sources),
            db_path=str(folder / "bench.duckdb"),
        )
        whole = time.perf_counter() - started
    if counts["pages_processed"] != len(pages):
        raise RuntimeError(f"the flow processed {counts['pages_processed']} of {len(pages)}")
    return {
        "pages": len(pages),
        "trafilatura_seconds": round(bare, 2),
        "ingest_seconds": round(whole, 2),
        "ratio": round(bare / whole, 3),
        "stage_seconds": counts["stage_seconds"],
        "articles_loaded": counts["articles_loaded"],
        "duplicates": counts["duplicates"],
        "extraction_f1": extraction_scores(eval_dir, timing=False)["ours"]["f1"],
    }


def figures(result: dict[str, Any]) -> list[Figure]:
    """The ratio and F1 against their targets; the seconds and stages that explain them."""
    pages, whole = result["pages"], result["ingest_seconds"]
    stages = result["stage_seconds"]
    rows = [
        Figure(f"whole ingest of {pages:,} pages", f"{whole:.1f} s"),
        Figure("trafilatura.extract alone, same pages", f"{result['trafilatura_seconds']:.1f} s"),
        against(
            "ingest speed ÷ trafilatura alone",
            result["ratio"],
            TARGET_RATIO,
            unit="x",
            at_least=True,
        ),
        against("extraction F1, 181 pages", result["extraction_f1"], F1_BEFORE, at_least=True),
    ]
    unaccounted = whole - sum(stages.values())
    for stage in (*STAGES, *sorted(set(stages) - set(STAGES))):
        seconds = stages.get(stage, 0.0)
        rows.append(Figure(f"ingest stage: {stage}", _share(seconds, whole)))
    rows.append(Figure("ingest stage: other (Prefect, lock, queries)", _share(unaccounted, whole)))
    return rows


def _share(seconds: float, whole: float) -> str:
    return f"{seconds:.1f} s ({seconds / whole:.0%})"


def _seconds(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started
