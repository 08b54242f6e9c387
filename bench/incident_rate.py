"""Incident extraction: texts per second on one core (per CPU-second of this process, which
other work on a shared machine does not dilute; the wall-clock rate is given beside it).

ACLED's coders' notes (``<eval-dir>/acled-dev``) read one by one through the shipped
``IncidentReader`` in this one process, as ``bench.eval_acled`` reads them; the reader is built
before the clock starts (a run builds it once per process).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.eval_acled import load_notes, published_at
from bench.table import Figure
from tasks.incidents.extract import extract_incidents
from tasks.incidents.reader import default_reader


def run(eval_dir: Path, notes: int = 1000) -> dict[str, Any]:
    rows = load_notes(eval_dir, notes)
    reader = default_reader()
    started, cpu = time.perf_counter(), time.process_time()
    found = sum(
        len(extract_incidents(row["notes"], published_at(row), reader=reader)) for row in rows
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "texts": len(rows),
        "words_per_text": round(sum(len(r["notes"].split()) for r in rows) / len(rows), 1),
        "incidents": found,
        "texts_per_cpu_second": round(len(rows) / cpu, 1),
        "texts_per_second": round(len(rows) / seconds, 1),
    }


def figures(result: dict[str, Any]) -> list[Figure]:
    texts = f"{result['texts']:,} ACLED notes, {result['words_per_text']:g} words each"
    return [
        Figure(
            f"incident extraction per core ({texts})",
            f"{result['texts_per_cpu_second']} texts/CPU-s "
            f"({result['texts_per_second']}/s wall, on a shared machine)",
        ),
    ]
