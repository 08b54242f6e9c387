"""What `newsdesk deploy`, `worker` and `trigger` do, as plain functions the tests call too.

The deployments themselves are declared in ``prefect.yaml``; this module creates the work pool
they name, applies the file, starts a worker for the pool, and creates and follows runs. It also
holds the checks that make a bad trigger fail at once (a bad date range, an unknown source id),
shared by the trigger command and the backfill flow, and the run-date arithmetic that lets a
schedule say ``days_back: 1`` instead of hard-coding dates.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound
from prefect.runtime import flow_run
from prefect.workers.process import ProcessWorker

from config.settings import Settings
from config.sources import Source, load_sources, select_sources
from tasks.process import Window

PROJECT_DIR = Path(__file__).resolve().parents[1]
WORK_POOL = "newsdesk"


class RunTimeoutError(TimeoutError):
    """A flow run did not finish within the time we were willing to wait for it."""


def declared_deployments() -> list[str]:
    """``flow/deployment`` names prefect.yaml declares: the only ones a trigger can start."""
    declared = yaml.safe_load((PROJECT_DIR / "prefect.yaml").read_text(encoding="utf-8"))
    return [f"{d['entrypoint'].rsplit(':', 1)[1]}/{d['name']}" for d in declared["deployments"]]


def prefect_cli(*args: str) -> list[str]:
    """The Prefect CLI of this very environment, so a stray global install is never used."""
    return [sys.executable, "-m", "prefect", *args]


def deploy_command() -> list[str]:
    """Apply every deployment in prefect.yaml without prompts; run it from PROJECT_DIR."""
    return prefect_cli("--no-prompt", "deploy", "--all", "--prefect-file", "prefect.yaml")


def worker_command(pool: str = WORK_POOL, limit: int | None = None) -> list[str]:
    """A process worker: flow runs become child processes of this Python, with its packages."""
    command = prefect_cli("worker", "start", "--pool", pool, "--type", "process")
    return [*command, "--limit", str(limit)] if limit else command


def ensure_work_pool(name: str = WORK_POOL) -> bool:
    """Create the process pool unless it exists (an existing pool keeps its settings)."""
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
            return False
        except ObjectNotFound:
            template = ProcessWorker.get_default_base_job_template()
            client.create_work_pool(
                WorkPoolCreate(name=name, type="process", base_job_template=template)
            )
            return True


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """``k=v`` pairs as ``prefect deployment run --param`` reads them: JSON when it parses."""
    parameters: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"parameter {pair!r} is not of the form key=value")
        try:
            parameters[key] = json.loads(raw)
        except json.JSONDecodeError:
            parameters[key] = raw
    return parameters


def checked_request(
    since: date | None, until: date | None, sources: list[str] | None, settings: Settings
) -> tuple[Window, list[Source]]:
    """The window and sources a run would use, or a ValueError naming the bad value."""
    window = Window.checked(since, until)
    return window, select_sources(load_sources(settings.sources_file), sources)


def check_parameters(parameters: Mapping[str, Any], settings: Settings) -> None:
    """Refuse, before a run is created, what the flow would refuse after queueing for it."""
    sources = parameters.get("sources")
    if sources is not None and not (
        isinstance(sources, list) and all(isinstance(s, str) for s in sources)
    ):
        raise ValueError(f"sources must be a JSON list of ids like '[\"sample\"]', got {sources!r}")
    since, until = (_as_date(parameters.get(key), key) for key in ("since", "until"))
    checked_request(since, until, sources, settings)


def _as_date(value: Any, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"{name} must be a date YYYY-MM-DD, got {value!r}") from exc


def run_day() -> date:
    """The UTC day a run was scheduled for: a late or retried run still covers its own days."""
    return flow_run.scheduled_start_time.astimezone(UTC).date()


def trailing_days(days_back: int) -> tuple[date, date]:
    """``(since, until)`` covering the run day and the ``days_back`` days before it."""
    if days_back < 0:
        raise ValueError(f"days_back must be 0 or more, got {days_back}")
    until = run_day()
    return until - timedelta(days=days_back), until


def start_run(deployment: str, parameters: Mapping[str, Any]) -> FlowRun:
    """Create a run of ``flow/deployment`` now and return without waiting for a worker."""
    return run_deployment(deployment, parameters=dict(parameters), timeout=0, as_subflow=False)


def wait_for_run(run_id: UUID, timeout: float, poll: float = 1.0) -> FlowRun:
    """Poll until the run reaches a final state; every wait in ops code is bounded."""
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            run = client.read_flow_run(run_id)
            if run.state is not None and run.state.is_final():
                return run
            if time.monotonic() > deadline:
                state = run.state.name if run.state else "no state"
                raise RunTimeoutError(f"flow run {run.name} still {state} after {timeout:.0f}s")
            time.sleep(poll)


def running_seconds(run: FlowRun) -> float:
    """How long the flow itself ran, without the wait for a worker (0 if it never started)."""
    if run.start_time is None or run.end_time is None:
        return 0.0
    return (run.end_time - run.start_time).total_seconds()
