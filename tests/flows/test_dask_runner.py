"""The same ingest on a Dask cluster gives the same tables as on the local process pool.

The sample sources plus the 181 real pages of ``../shared/eval/extraction`` (an ``archive``
source) are ingested twice in batches of 25: once with the default pool of two processes, once
on a local Dask cluster of two worker processes listening on 127.0.0.1 only, reached by its
scheduler address as a real cluster would be. Marked slow: two whole ingests and a cluster.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from distributed import LocalCluster

from config.settings import PROJECT_DIR
from flows.ingest import ingest
from tests.kill_loop import tables
from tests.shared_data import require_eval

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def sources_file(folder: Path, pages: Path) -> Path:
    """The bundled sample, and the shared pages as one more archive source."""
    path = folder / "sources.yaml"
    path.write_text(
        "sources:\n"
        f"  - {{id: sample, kind: archive, path: '{PROJECT_DIR / 'samples' / 'archive'}'}}\n"
        f"  - {{id: pages, kind: archive, path: '{pages}'}}\n"
    )
    return path


def ingest_into(db: Path, sources: Path) -> dict:
    return ingest(sources_file=str(sources), db_path=str(db))


def test_an_ingest_on_a_dask_cluster_gives_the_tables_of_the_process_pool(tmp_path, monkeypatch):
    pages = require_eval("extraction/html").resolve()
    sources = sources_file(tmp_path, pages)
    monkeypatch.setenv("NEWSDESK_PROCESS_BATCH_SIZE", "25")
    monkeypatch.setenv("NEWSDESK_WORKERS", "2")

    pooled = ingest_into(tmp_path / "pool" / "news.duckdb", sources)

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )  # fmt: skip
    with cluster:
        monkeypatch.setenv("NEWSDESK_TASK_RUNNER", "dask")
        monkeypatch.setenv("NEWSDESK_DASK_ADDRESS", cluster.scheduler_address)
        on_dask = ingest_into(tmp_path / "dask" / "news.duckdb", sources)

    assert pooled["pages_processed"] > 200 and pooled["status"] == "completed"
    timings = ("stage_seconds",)  # wall seconds differ from run to run
    assert {k: v for k, v in on_dask.items() if k not in timings} == {
        k: v for k, v in pooled.items() if k not in timings
    }
    assert tables(tmp_path / "dask" / "news.duckdb") == tables(tmp_path / "pool" / "news.duckdb")
