"""A re-run that finds nothing new, next to a trivial Prefect flow, each as its own process.

What a scheduled run costs when no source has anything new: ``newsdesk ingest --source sample``
run again over a database that already holds the sample, timed as a user would see it (a new
process starting Prefect's temporary server), beside a process that runs a flow doing nothing.
The difference is ours. Both share one fresh PREFECT_HOME, warmed by the first ingest; each is
timed ``repeats`` times, alternating, and the fastest counts (the least disturbed by others).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from prefect import flow

from bench.table import Figure, against

REPO = Path(__file__).resolve().parents[1]
TARGET_BEYOND_PREFECT = 2.0


@flow(name="trivial")
def trivial() -> None:
    """Does nothing: what any flow pays to start in local mode."""


def run(repeats: int = 2) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="newsdesk-rerun-") as work:
        env = {**os.environ, "PREFECT_HOME": str(Path(work) / "prefect")}
        ingest = [sys.executable, "-m", "flows.cli", "ingest", "--source", "sample"]
        ingest += ["--db", str(Path(work) / "sample.duckdb")]
        _seconds(ingest, env)  # loads the sample
        noop = [sys.executable, "-c", "from bench.rerun import trivial; trivial()"]
        trivial_runs, rerun_runs = [], []
        for _ in range(repeats):
            trivial_runs.append(_seconds(noop, env))
            rerun_runs.append(_seconds(ingest, env))
    nothing_new, prefect_only = min(rerun_runs), min(trivial_runs)
    return {
        "nothing_new_seconds": round(nothing_new, 2),
        "trivial_flow_seconds": round(prefect_only, 2),
        "beyond_prefect_seconds": round(nothing_new - prefect_only, 2),
    }


def figures(result: dict[str, Any]) -> list[Figure]:
    return [
        Figure("nothing-new re-run of the sample (process)", f"{result['nothing_new_seconds']} s"),
        Figure("trivial Prefect flow (process), beside it", f"{result['trivial_flow_seconds']} s"),
        against(
            "nothing-new re-run beyond the trivial flow",
            result["beyond_prefect_seconds"],
            TARGET_BEYOND_PREFECT,
            unit=" s",
        ),
    ]


def _seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{command} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return time.perf_counter() - started
