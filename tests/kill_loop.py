"""``make kill-test``: SIGKILL ``newsdesk ingest`` at random moments, re-run it, compare tables.

A run can be killed at any instant (OOM killer, a power cut, ``kill -9``). The pipeline promises
that the next run finishes the work exactly once: the tables equal those of one clean run, the
published snapshot opens read-only after every kill, and nothing is left behind (staging files,
the killed run's temporary Prefect server). This proves it for real: the CLI runs as a
subprocess on the bundled sample (``config/sources.yaml``'s ``sample`` source) with its own
database and PREFECT_HOME in a temporary folder, and the loop kills it

- by time: at a seeded random delay within the measured length of a clean run, and
- by stage: as soon as its log (or, for publish, a staging file) says a stage has begun,

and after every kill runs it again to completion and checks everything. Only the run's own
process gets the SIGKILL, as ``kill -9 PID`` would: its temporary Prefect server lives on until
the next run stops it. Seeded, so a failing cycle can be replayed::

    .venv/bin/python -m tests.kill_loop --kills 20 --seed 1 [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from config.settings import PROJECT_DIR
from tests.ingest_process import spawn_ingest

SOURCES_FILE = PROJECT_DIR / "config" / "sources.yaml"
BATCH_SIZE = "4"  # several batches, so clean/process and dedupe/load alternate and can be hit
RUN_TIMEOUT = 600.0

# What each table must hold, in an order that makes two databases comparable; no run ids or times.
TABLES = {
    "articles": "SELECT article_id, canonical_url, content_hash, published_at FROM articles",
    "article_duplicates": "SELECT member_url, member_article_id, canonical_article_id, method "
    "FROM article_duplicates",
    "incidents": "SELECT incident_id, event_date, event_type, sub_event_type, location, "
    "killed_low, killed_best, killed_high, claim_status, num_articles, num_sources FROM incidents",
    "incident_mentions": "SELECT incident_id, article_id FROM incident_mentions",
    "daily_summary": "SELECT day, country, admin1, event_type, incidents, killed_best, "
    "injured_best, sources, articles FROM daily_summary",
    "rejects": "SELECT reject_id, stage, reason, source_id, url FROM rejects",
    "raw_pages": "SELECT url, processed_at IS NOT NULL FROM raw_pages",
    "page_sources": "SELECT url, source_id FROM page_sources",
}

# Rows that point at nothing, or a run left open after the run that should have closed it.
ORPHANS = {
    "mentions without an incident": "SELECT count(*) FROM incident_mentions m "
    "WHERE m.incident_id NOT IN (SELECT incident_id FROM incidents)",
    "mentions without an article": "SELECT count(*) FROM incident_mentions m "
    "WHERE m.article_id NOT IN (SELECT article_id FROM articles)",
    "incidents without a mention": "SELECT count(*) FROM incidents i "
    "WHERE i.incident_id NOT IN (SELECT incident_id FROM incident_mentions)",
    "duplicates of a missing article": "SELECT count(*) FROM article_duplicates d "
    "WHERE d.canonical_article_id NOT IN (SELECT article_id FROM articles) "
    "OR (d.member_article_id IS NOT NULL "
    "AND d.member_article_id NOT IN (SELECT article_id FROM articles))",
    "minhashes of a missing article": "SELECT count(*) FROM article_minhash "
    "WHERE article_id NOT IN (SELECT article_id FROM articles)",
    "band keys of a missing article": "SELECT count(*) FROM article_bands "
    "WHERE article_id NOT IN (SELECT article_id FROM article_minhash)",
    "runs still marked running": "SELECT count(*) FROM pipeline_runs WHERE status = 'running'",
}

STAGES = ("startup", "harvest", "store", "process", "dedupe", "summarize", "extraction")
STAGES += ("publish", "closing")
TARGETS = ("harvest", "store", "process", "dedupe", "summarize", "extraction", "publish")

# (words a log line holds, the stage that begins with it); the latest line seen decides.
MARKERS = (
    (("Beginning flow run", "for flow 'ingest'"), "harvest"),
    (("harvest-source", "Finished"), "store"),
    (("store-harvest", "Finished"), "process"),
    (("process-pages", "Finished"), "dedupe"),
    (("load-batch", "Finished"), "process"),
    (("Beginning subflow run",), "summarize"),
    (("retract-copies", "Finished"), "extraction"),
    (("extract-incidents", "Finished"), "summarize"),
    (("summarize: ",), "closing"),
)
LEFTOVER_SUFFIXES = (".publishing", ".seeding", ".prev-linking", ".wal", ".tmp", ".staging")


def stage_of(line: str) -> str | None:
    """The stage a log line says has begun, if any."""
    for words, stage in MARKERS:
        if all(word in line for word in words):
            return stage
    return None


@dataclass
class Run:
    """One ``newsdesk ingest`` subprocess, its stage as its log tells it, and its start time."""

    process: subprocess.Popen
    folder: Path
    started: float = field(default_factory=time.monotonic)
    stage: str = "startup"
    lines: list[str] = field(default_factory=list)

    def follow(self) -> None:
        """Read the log to its end (run in a thread), keeping the stage current."""
        for line in self.process.stderr:
            self.lines.append(line)
            self.stage = stage_of(line) or self.stage

    def publishing(self) -> bool:
        """A partition or the views file is being written: the publish stage, seen on disk."""
        return any(self.folder.glob(".*.publishing")) or any(self.folder.glob("*.parts/*/*.tmp"))

    def current_stage(self) -> str:
        """The stage now; publish lasts until the log names the next stage."""
        if self.publishing():
            self.stage = "publish"
        return self.stage

    def tail(self, lines: int = 15) -> str:
        return "".join(self.lines[-lines:])


def start_run(db: Path, prefect_home: Path) -> Run:
    """Start ``newsdesk ingest`` on the sample in its own session, following its log."""
    settings = {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "NEWSDESK_PROCESS_BATCH_SIZE": BATCH_SIZE,
    }
    process = spawn_ingest(SOURCES_FILE, db, prefect_home, env=settings, stderr=subprocess.PIPE)
    run = Run(process, db.parent)
    threading.Thread(target=run.follow, daemon=True).start()
    return run


def finish(run: Run) -> float:
    """Wait for a run to end; its length in seconds, or AssertionError with its log."""
    code = run.process.wait(RUN_TIMEOUT)
    if code != 0:
        raise AssertionError(f"ingest exited {code}:\n{run.tail()}")
    return time.monotonic() - run.started


def kill_when(run: Run, due) -> str | None:
    """SIGKILL the run's own process once ``due(run)`` holds; the stage it was in, or None if
    it ended first."""
    while run.process.poll() is None:
        if due(run):
            stage = run.current_stage()
            with suppress(ProcessLookupError):
                os.kill(run.process.pid, signal.SIGKILL)
            run.process.wait(30)
            return stage
        time.sleep(0.002)
    return None


def after_seconds(delay: float):
    return lambda run: time.monotonic() - run.started >= delay


def at_stage(target: str, extra: float):
    """Due ``extra`` seconds after the log (or disk) first shows ``target``."""
    seen: list[float] = []

    def due(run: Run) -> bool:
        if not seen and run.current_stage() == target:
            seen.append(time.monotonic())
        return bool(seen) and time.monotonic() - seen[0] >= extra

    return due


def tables(db: Path) -> dict[str, list[tuple]]:
    """Every compared table's rows, sorted, from the published snapshot (opened read-only)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in TABLES.items()}
    finally:
        con.close()


def orphans(db: Path) -> dict[str, int]:
    """Orphan rows in the working database (it holds every table; the MinHash signatures are
    not published), read once the run has ended."""
    con = duckdb.connect(str(db.with_name(f".{db.stem}.work.duckdb")), read_only=True)
    try:
        found = {name: con.execute(sql).fetchone()[0] for name, sql in ORPHANS.items()}
    finally:
        con.close()
    return {name: count for name, count in found.items() if count}


def snapshot_problem(db: Path) -> str | None:
    """Why the published snapshot does not open read-only and answer, or None. No snapshot yet
    (a kill before the first publish) is no problem."""
    if not db.exists():
        return None
    try:
        con = duckdb.connect(str(db), read_only=True)
        try:
            con.execute("SELECT max(version) FROM schema_migrations").fetchone()
            con.execute("SELECT count(*) FROM articles").fetchone()
        finally:
            con.close()
    except duckdb.Error as exc:
        return f"snapshot does not open read-only: {exc}"
    return None


def leftover_files(folder: Path) -> list[str]:
    """Staging files and WALs (and half-written partitions in ``*.parts``) still there after a
    run ended normally."""
    found = [*folder.iterdir(), *folder.glob("*.parts/*"), *folder.glob("*.parts/*/*")]
    return sorted(p.name for p in found if p.name.endswith(LEFTOVER_SUFFIXES))


def live_processes_of_session(session: int) -> list[int]:
    """Processes still running in a killed run's session: its temporary Prefect server, if the
    next run did not stop it."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        with suppress(OSError, ValueError, IndexError):
            text = (entry / "stat").read_text()
            fields = text[text.rindex(")") + 2 :].split()
            if int(fields[3]) == session and fields[0] not in "ZX":
                found.append(int(entry.name))
    return found


@dataclass
class Report:
    """What the loop saw: kills per stage, cycles whose tables matched, and every problem."""

    seed: int
    clean_seconds: float = 0.0
    kills: Counter = field(default_factory=Counter)
    survived: int = 0
    problems: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def summary(self) -> dict:
        return {
            "seed": self.seed,
            "kills": sum(self.kills.values()),
            "kills_per_stage": {s: self.kills[s] for s in STAGES if self.kills[s]},
            "cycles_survived_with_identical_tables": self.survived,
            "problems": self.problems,
            "clean_run_seconds": round(self.clean_seconds, 1),
            "seconds": round(time.monotonic() - self.started, 1),
        }


def check_cycle(number: int, db: Path, expected: dict, killed_session: int, report: Report):
    """After the re-run: tables equal the clean run's, no orphans, no leftovers."""
    problems = []
    got = tables(db)
    for name, rows in expected.items():
        if got[name] != rows:
            missing = len(set(rows) - set(got[name]))
            extra = len(set(got[name]) - set(rows))
            problems.append(
                f"{name}: {len(got[name])} rows, clean run {len(rows)} "
                f"({missing} missing, {extra} extra)"
            )
    problems += [f"{name}: {count}" for name, count in orphans(db).items()]
    problems += [f"leftover {name}" for name in leftover_files(db.parent)]
    if strays := live_processes_of_session(killed_session):
        stop_strays(strays)
        problems.append(f"processes of the killed run still running: {strays}")
    report.problems += [f"cycle {number}: {p}" for p in problems]
    report.survived += not problems


@dataclass(frozen=True)
class Moment:
    """When to kill: at ``fraction`` of a run's length, or ``extra`` seconds into ``target``."""

    fraction: float = 0.0
    target: str | None = None
    extra: float = 0.0

    def due(self, run_seconds: float) -> tuple[str, Callable[[Run], bool]]:
        """What the moment is, said plainly, and the condition that fires it."""
        if self.target is None:
            delay = self.fraction * run_seconds
            return f"after {delay:.1f} s", after_seconds(delay)
        return f"{self.target} +{self.extra:.2f} s", at_stage(self.target, self.extra)


def moments(rng: random.Random) -> Iterator[Moment]:
    """Alternate kills by time and by stage; every stage target comes up once per round. A
    publish lasts a fraction of a second, so its kill comes sooner after it is seen."""
    targets: list[str] = []
    while True:
        yield Moment(fraction=rng.random())
        if not targets:
            targets = rng.sample(TARGETS, len(TARGETS))
        target = targets.pop()
        yield Moment(target=target, extra=rng.uniform(0, 0.05 if target == "publish" else 0.25))


def kill_loop(kills: int, seed: int, workdir: Path, log=print) -> Report:
    """One clean run, then ``kills`` cycles: each kills a run on a new database at its moment,
    runs it again to completion and checks the result; the report."""
    report = Report(seed)
    clean_db = workdir / "clean" / "newsdesk.duckdb"
    clean_db.parent.mkdir(parents=True)
    report.clean_seconds = finish(start_run(clean_db, workdir / "clean-prefect-home"))
    expected = tables(clean_db)
    log(f"clean run: {report.clean_seconds:.1f} s, " + _sizes(expected))

    prefect_home = workdir / "prefect-home"
    run_seconds = report.clean_seconds  # then the latest full run's: the home is warm by then
    for number, moment in enumerate(moments(random.Random(seed)), 1):
        if sum(report.kills.values()) == kills:
            break
        db = workdir / f"cycle-{number:02d}" / "newsdesk.duckdb"
        db.parent.mkdir(parents=True)
        run = start_run(db, prefect_home)
        moment, due = moment.due(run_seconds)
        stage = kill_when(run, due)
        if stage is None:
            run_seconds = finish(run)
            log(f"cycle {number}: {moment}: the run ended before the kill")
            continue
        report.kills[stage] += 1
        if problem := snapshot_problem(db):
            report.problems.append(f"cycle {number}: {problem}")
        try:
            rerun_seconds = finish(start_run(db, prefect_home))
        except AssertionError as exc:
            report.problems.append(f"cycle {number}: re-run failed: {exc}")
            log(f"cycle {number}: killed in {stage} ({moment}); re-run FAILED")
            continue
        if stage in ("startup", "harvest"):
            run_seconds = rerun_seconds  # the re-run did all the work: a full run's length
        before = len(report.problems)
        check_cycle(number, db, expected, run.process.pid, report)
        verdict = "identical tables" if len(report.problems) == before else "DIFFERENT"
        log(f"cycle {number}: killed in {stage} ({moment}); re-run: {verdict}")
    return report


def _sizes(found: dict[str, list]) -> str:
    return ", ".join(f"{name} {len(rows)}" for name, rows in found.items())


def stop_strays(pids: list[int]) -> None:
    """End the processes a killed run left behind, once counted, so none outlives the loop."""
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="kept afterwards (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kill-loop-") as temporary:
        workdir = args.workdir or Path(temporary)
        report = kill_loop(args.kills, args.seed, workdir, log=lambda s: print(s, flush=True))
    print(json.dumps(report.summary(), indent=2))
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
