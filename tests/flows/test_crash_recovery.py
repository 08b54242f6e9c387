"""A run killed part-way and run again leaves neither duplicates nor gaps."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from config.settings import PROJECT_DIR
from flows.ingest import ingest
from tests.ingest_process import spawn_ingest

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

SNAPSHOT = (
    "SELECT canonical_url, url, content_hash, published_at FROM articles ORDER BY 1",
    "SELECT member_url, member_article_id, canonical_article_id, method FROM article_duplicates "
    "ORDER BY 1",
    "SELECT url, processed_at IS NOT NULL FROM raw_pages ORDER BY 1",
    "SELECT stage, reason, url FROM rejects ORDER BY 1, 2, 3",
)


def sources(tmp_path: Path) -> Path:
    path = tmp_path / "sources.yaml"
    archive = PROJECT_DIR / "samples" / "archive"
    path.write_text(f"sources:\n  - {{id: sample, kind: archive, path: '{archive}'}}\n")
    return path


def snapshot(db: Path) -> list[list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [con.execute(sql).fetchall() for sql in SNAPSHOT]
    finally:
        con.close()


def start_ingest(tmp_path: Path, db: Path) -> subprocess.Popen:
    settings = {"NEWSDESK_PROCESS_BATCH_SIZE": "2", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    return spawn_ingest(
        sources(tmp_path),
        db,
        tmp_path / "prefect-home",
        env=settings,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )


def kill_after_batches(process: subprocess.Popen, batches: int, timeout: float = 240) -> None:
    """SIGKILL the run as soon as it has committed ``batches`` batches of articles."""
    deadline, seen = time.monotonic() + timeout, 0
    for line in process.stderr:
        if "load-batch" in line and "Completed" in line:
            seen += 1
            if seen == batches:
                os.killpg(process.pid, signal.SIGKILL)
                break
        assert time.monotonic() < deadline, "the run never got going"
    process.wait(30)


def test_a_killed_run_is_finished_by_the_next_one_exactly_once(tmp_path):
    clean_db = tmp_path / "clean" / "news.duckdb"
    ingest(sources_file=str(sources(tmp_path)), db_path=str(clean_db))

    crashed_db = tmp_path / "crashed" / "news.duckdb"
    kill_after_batches(start_ingest(tmp_path, crashed_db), batches=2)
    resumed = ingest(sources_file=str(sources(tmp_path)), db_path=str(crashed_db))

    assert resumed["crashed_runs_closed"] == 1, "the kill came after the run had finished"
    assert snapshot(crashed_db)[:2] == snapshot(clean_db)[:2]
    assert snapshot(crashed_db)[2:] == snapshot(clean_db)[2:]
    con = duckdb.connect(str(crashed_db), read_only=True)
    statuses = con.execute(
        "SELECT status FROM pipeline_runs WHERE flow = 'ingest' ORDER BY started_at"
    )
    assert [s for (s,) in statuses.fetchall()] == ["crashed", "completed"]
