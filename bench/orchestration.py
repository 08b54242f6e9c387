"""How long a deployed ingest takes, measured on a private Prefect server and worker.

Starts ``prefect server start`` on 127.0.0.1 (free port, its own PREFECT_HOME, scheduler off so
no scheduled run interferes), runs ``newsdesk deploy`` and ``newsdesk worker``, then triggers
``ingest/frequent`` for the bundled ``sample`` source twice: first with ``newsdesk trigger``,
then with plain ``prefect deployment run``. It prints, per run, the seconds from the run being
requested to its completion, the seconds it ran, and pages processed per second; the second run
(nothing new to ingest) is the fixed cost of a run. Everything lives in a temporary directory
and every process group it started is stopped on exit.

    .venv/bin/python -m bench.orchestration [--query-seconds 10] [--archive DIR]

``--archive ../shared/eval/extraction/html`` measures throughput on a bigger folder of pages.

The end-to-end test (tests/e2e/test_deployment.py) drives the same ``PrefectStack``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import duckdb
import requests

from config.settings import Settings

BIN = Path(sys.executable).parent
# Tables that hold state (not per-run logs): a rerun over unchanged input must not change them.
STATE_TABLES = (
    "sources",
    "raw_pages",
    "articles",
    "article_minhash",
    "article_bands",
    "article_duplicates",
    "rejects",
    "unique_stories",
)


@dataclass(frozen=True)
class RunTiming:
    """One flow run as the server recorded it; ``requested`` is when the run was created."""

    flow_run: str
    state: str
    requested_to_done_seconds: float
    running_seconds: float
    pages_processed: int
    pipeline_status: str

    @property
    def pages_per_second(self) -> float:
        return self.pages_processed / self.running_seconds if self.running_seconds else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrefectStack:
    """A Prefect server, a worker and a database of our own, torn down however we leave."""

    def __init__(
        self, workdir: Path, *, query_seconds: float = 2.0, sources_file: Path | None = None
    ) -> None:
        self.workdir = workdir
        self.db_path = workdir / "data" / "newsdesk.duckdb"
        self.api_url = f"http://127.0.0.1:{free_port()}/api"
        self.env = {
            **os.environ,
            "PREFECT_HOME": str(workdir / "prefect-home"),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
            "PREFECT_WORKER_QUERY_SECONDS": str(query_seconds),
            "DO_NOT_TRACK": "1",
            "NEWSDESK_DB_PATH": str(self.db_path),
        }
        if sources_file:
            self.env["NEWSDESK_SOURCES_FILE"] = str(sources_file)
        self._processes: list[tuple[subprocess.Popen, IO[bytes]]] = []

    def __enter__(self) -> PrefectStack:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start_server(self, timeout: float = 180) -> None:
        port = self.api_url.rsplit(":", 1)[1].split("/")[0]
        self._spawn(
            "server",
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", port],
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._fail_if_exited()
            try:
                if requests.get(f"{self.api_url}/health", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"prefect server not healthy after {timeout}s; see {self.workdir}")

    def start_worker(self) -> None:
        self._spawn("worker", [str(BIN / "newsdesk"), "worker"])

    def run(self, *command: str, timeout: float = 600) -> str:
        """Run a command against this stack; its output, or an error carrying it."""
        done = subprocess.run(
            command,
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(
                f"{command} exited {done.returncode}:\n{done.stdout}{done.stderr}"
                f"\n--- end of worker.log ---\n{self._worker_log_tail()}"
            )
        return done.stdout

    def _worker_log_tail(self, chars: int = 4000) -> str:
        """Flow-run tracebacks land in the worker's log, which goes with the temp dir."""
        log = self.workdir / "worker.log"
        return log.read_text(errors="replace")[-chars:] if log.exists() else "(no worker)"

    def newsdesk(self, *args: str, timeout: float = 600) -> str:
        return self.run(str(BIN / "newsdesk"), *args, timeout=timeout)

    def prefect(self, *args: str, timeout: float = 600) -> str:
        return self.run(str(BIN / "prefect"), *args, timeout=timeout)

    def latest_run(self, deployment: str) -> RunTiming:
        """The newest run of a deployment, with its pipeline_runs row from the database."""
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
        from prefect.client.schemas.sorting import FlowRunSort
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from flows.deployments import running_seconds

        with (
            temporary_settings({PREFECT_API_URL: self.api_url}),
            get_client(sync_client=True) as client,
        ):
            target = client.read_deployment_by_name(deployment)
            (run,) = client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[target.id])),
                sort=FlowRunSort.EXPECTED_START_TIME_DESC,
                limit=1,
            )
        status, counts = self._pipeline_row(str(run.id))
        return RunTiming(
            flow_run=run.name,
            state=run.state.name,
            requested_to_done_seconds=(run.end_time - run.created).total_seconds(),
            running_seconds=running_seconds(run),
            pages_processed=int(counts.get("pages_processed", 0)),
            pipeline_status=status,
        )

    def table_counts(self) -> dict[str, int]:
        """Rows of the pipeline's state tables, in the working database (the snapshot leaves
        the near-duplicate index out); read between runs, when no writer holds it."""
        working = Settings.overridden(db_path=self.db_path).work_db_path
        with duckdb.connect(str(working), read_only=True) as con:
            return {
                table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in STATE_TABLES
            }

    def stop(self) -> None:
        """SIGTERM each process group (worker first), SIGKILL what is still alive after 30 s."""
        for process, log in reversed(self._processes):
            _signal_group(process.pid, signal.SIGTERM)
            if not _group_ended(process, timeout=30):
                _signal_group(process.pid, signal.SIGKILL)
                _group_ended(process, timeout=10)
            log.close()
        self._processes.clear()
        for pid in self.running():  # a flow run the worker left behind in its own session
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def running(self) -> list[int]:
        """Live processes started for this stack, flow runs in their own sessions included.

        Everything we start inherits our unique PREFECT_API_URL, so the environment finds it.
        """
        marker = f"PREFECT_API_URL={self.api_url}".encode()
        live = []
        for environ in Path("/proc").glob("[0-9]*/environ"):
            try:
                if marker in environ.read_bytes().split(b"\0"):
                    live.append(int(environ.parent.name))
            except OSError:
                continue
        return live

    def _pipeline_row(self, run_id: str) -> tuple[str, dict[str, Any]]:
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            row = con.execute(
                "SELECT status, counts FROM pipeline_runs WHERE run_id = ?", [run_id]
            ).fetchone()
        return (row[0], json.loads(row[1] or "{}")) if row else ("missing", {})

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            command,
            env=self.env,
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._processes.append((process, log))

    def _fail_if_exited(self) -> None:
        for process, log in self._processes:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{process.args[:3]} exited {process.returncode}; see {log.name}"
                )


def _signal_group(group: int, sig: int) -> bool:
    """Signal a whole process group; False when nothing is left in it."""
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        return False
    return True


def _group_ended(process: subprocess.Popen, timeout: float) -> bool:
    """Wait for the leader and then for every other member of its group to exit."""
    deadline = time.monotonic() + timeout
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return False
    while _signal_group(process.pid, 0):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def measure(stack: PrefectStack, source_id: str = "sample") -> dict[str, Any]:
    """Deploy, start a worker, ingest one source twice (both trigger paths); the figures."""
    ingest_one = ("ingest/frequent", "--param", f"sources={json.dumps([source_id])}")
    stack.start_server()
    stack.newsdesk("deploy")
    stack.start_worker()
    stack.newsdesk("trigger", *ingest_one, "--watch", "--timeout", "900", timeout=960)
    first, counts_after_first = stack.latest_run("ingest/frequent"), stack.table_counts()
    stack.prefect(
        "deployment", "run", *ingest_one, "--watch", "--watch-timeout", "900", timeout=960
    )
    second, counts_after_second = stack.latest_run("ingest/frequent"), stack.table_counts()
    return {
        "first_run": {**asdict(first), "pages_per_second": round(first.pages_per_second, 2)},
        "unchanged_rerun": asdict(second),
        "counts_after_first": counts_after_first,
        "counts_after_second": counts_after_second,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--query-seconds",
        type=float,
        default=2.0,
        help="How often the worker polls for runs (Prefect's default is 10).",
    )
    parser.add_argument(
        "--archive",
        type=Path,
        help="Ingest this folder of saved pages (as source 'archive') instead of the sample.",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsdesk-orch-") as tmp:
        sources_file = _archive_sources(Path(tmp), args.archive) if args.archive else None
        with PrefectStack(
            Path(tmp), query_seconds=args.query_seconds, sources_file=sources_file
        ) as stack:
            figures = measure(stack, "archive" if args.archive else "sample")
        print(json.dumps(figures, indent=2))


def _archive_sources(workdir: Path, folder: Path) -> Path:
    path = workdir / "sources.yaml"
    source = {"id": "archive", "kind": "archive", "path": str(folder.resolve())}
    path.write_text(json.dumps({"sources": [source]}), encoding="utf-8")  # JSON is YAML
    return path


if __name__ == "__main__":
    main()
