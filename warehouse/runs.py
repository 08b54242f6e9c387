"""The ``pipeline_runs`` ledger: one row per flow run, written at start and at finish."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import duckdb

START_RUN = """
INSERT INTO pipeline_runs (run_id, flow, parameters, started_at, status)
VALUES (?, ?, ?, ?, 'running')
ON CONFLICT (run_id) DO UPDATE SET started_at = excluded.started_at, status = 'running'
"""

FINISH_RUN = """
UPDATE pipeline_runs SET finished_at = ?, status = ?, counts = ?, error = ? WHERE run_id = ?
"""

# With the writer lock held, a 'running' row can only belong to a run that died.
MARK_CRASHED = """
UPDATE pipeline_runs
SET status = 'crashed', finished_at = ?, error = 'the process stopped before the run finished'
WHERE status = 'running' AND flow = ?
"""


# With the writer lock held, every 'running' row belongs to the run being stopped.
MARK_CANCELLED = """
UPDATE pipeline_runs SET status = 'cancelled', finished_at = ?, error = ? WHERE status = 'running'
"""


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, flow: str, parameters: dict[str, Any]
) -> int:
    """Record a run as started; returns how many dead runs of this flow it marked crashed."""
    now = datetime.now(UTC)
    crashed = con.execute(MARK_CRASHED, [now, flow]).fetchone()
    con.execute(START_RUN, [run_id, flow, json.dumps(parameters, default=str), now])
    return int(crashed[0]) if crashed else 0


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    status: str,
    counts: dict[str, Any],
    error: str | None = None,
) -> None:
    con.execute(
        FINISH_RUN, [datetime.now(UTC), status, json.dumps(counts, default=str), error, run_id]
    )


def cancel_running(con: duckdb.DuckDBPyConnection, reason: str) -> None:
    """Record the run holding the writer lock as stopped on request (a signal, Ctrl-C)."""
    con.execute(MARK_CANCELLED, [datetime.now(UTC), reason])
