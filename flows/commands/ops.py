"""Commands: deploy, worker, trigger (running the flows on a Prefect server and worker).

Each talks to the Prefect API that ``PREFECT_API_URL`` (or the active Prefect profile) names.
Prefect is imported inside the commands so ``newsdesk --help`` stays quick.
"""

from __future__ import annotations

import os
import subprocess
from typing import Annotated
from uuid import UUID

import typer

from config.settings import Settings
from flows.commands.errors import UserError


def require_prefect_server() -> None:
    """Refuse to go on without a Prefect server to talk to.

    Without ``PREFECT_API_URL`` Prefect starts a temporary server for this process alone: a
    deployment made there vanishes when the command exits, and a worker polls nothing.
    """
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise UserError(
            "no Prefect server is configured: start one (`prefect server start`) and set "
            "PREFECT_API_URL, e.g. export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )


def deploy() -> None:
    """Create the 'newsdesk' process work pool if missing and apply every deployment."""
    from flows.deployments import PROJECT_DIR, WORK_POOL, deploy_command, ensure_work_pool

    require_prefect_server()
    created = ensure_work_pool()
    typer.echo(f"work pool {WORK_POOL!r} {'created' if created else 'already exists'}")
    result = subprocess.run(deploy_command(), cwd=PROJECT_DIR, check=False)
    if result.returncode:
        typer.echo("prefect deploy failed; see its output above", err=True)
        raise typer.Exit(result.returncode)


def worker(
    limit: Annotated[
        int | None, typer.Option(help="Most flow runs at once (default: no limit).")
    ] = None,
) -> None:
    """Run a worker for the 'newsdesk' pool in the foreground (what systemd starts)."""
    from flows.deployments import PROJECT_DIR, worker_command

    require_prefect_server()
    command = worker_command(limit=limit)
    os.chdir(PROJECT_DIR)
    # exec, not a child: signals from systemd or Ctrl-C reach the worker itself.
    os.execv(command[0], command)


def trigger(
    deployment: Annotated[
        str, typer.Argument(metavar="FLOW/DEPLOYMENT", help="e.g. ingest/frequent")
    ],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", help="key=value, value read as JSON when it parses (repeatable)."
        ),
    ] = None,
    watch: Annotated[bool, typer.Option(help="Wait for the run and report how it ended.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds --watch waits at most.")] = 6 * 3600,
) -> None:
    """Start a run of a deployment now, e.g. trigger ingest/frequent -p sources='["sample"]'."""
    from prefect.exceptions import ObjectNotFound

    from flows.deployments import declared_deployments, start_run

    declared = declared_deployments()
    if deployment not in declared:
        known = ", ".join(declared)
        raise UserError(f"no deployment {deployment!r} in prefect.yaml; it declares {known}")
    parameters = _checked_parameters(param or [])
    require_prefect_server()
    try:
        run = start_run(deployment, parameters)
    except ObjectNotFound as exc:
        raise UserError(f"no deployment {deployment!r}; run `newsdesk deploy` first") from exc
    typer.echo(f"created flow run {run.name} ({run.id}) of {deployment}")
    if watch:
        _watch(run.id, timeout)


def _checked_parameters(pairs: list[str]) -> dict:
    """Parsed ``--param`` values, or exit 2 naming the bad one before any run exists."""
    from flows.deployments import check_parameters, parse_params

    try:
        parameters = parse_params(pairs)
        check_parameters(parameters, Settings())
    except ValueError as exc:
        raise UserError(f"refused: {exc}") from exc
    return parameters


def _watch(run_id: UUID, timeout: float) -> None:
    """Wait for the run; exit 1 unless it completed, so scripts and cron can rely on it."""
    from flows.deployments import RunTimeoutError, running_seconds, wait_for_run

    try:
        finished = wait_for_run(run_id, timeout=timeout)
    except RunTimeoutError as exc:
        typer.echo(f"{exc}; it goes on, follow it in the Prefect UI", err=True)
        raise typer.Exit(1) from exc
    seconds = running_seconds(finished)
    typer.echo(f"flow run {finished.name} {finished.state.name} after {seconds:.1f}s")
    if not finished.state.is_completed():
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    for command in (deploy, worker, trigger):
        app.command()(command)
