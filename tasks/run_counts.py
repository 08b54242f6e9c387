"""What a run did, per stage: the ``pipeline_runs.counts`` JSON and the run's artifact."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from tasks.records import Reject

if TYPE_CHECKING:  # a run's counts need no HTTP stack: `newsdesk incidents` starts faster
    from tasks.fetching.harvest import Harvest


@dataclass
class StageClock:
    """Wall seconds per stage, so a run says where its time went (``stage_seconds``).

    A stage timed inside another pauses the outer one: each second is counted once, under the
    innermost stage, and the stages add up to no more than the run.
    """

    seconds: Counter = field(default_factory=Counter)
    now: Callable[[], float] = time.perf_counter
    _running: list[str] = field(default_factory=list)
    _since: float = 0.0

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        self._switch()
        self._running.append(stage)
        try:
            yield
        finally:
            self._switch()
            self._running.pop()

    def spread(self, seconds: float, weights: Mapping[str, float]) -> None:
        """Wall seconds of work measured elsewhere (a batch, maybe in other processes), shared
        among its stages in the proportions of that work's own clock."""
        total = sum(weights.values())
        for stage, weight in weights.items():
            self.seconds[stage] += seconds * weight / total if total else 0.0

    def reassign(self, seconds: float, from_stage: str, to_stage: str) -> None:
        """Seconds a stage's own report says were spent on another (a subflow's publish)."""
        moved = min(seconds, self.seconds[from_stage])
        self.seconds[from_stage] -= moved
        self.seconds[to_stage] += moved

    def as_dict(self) -> dict[str, float]:
        return {stage: round(value, 3) for stage, value in self.seconds.items()}

    def _switch(self) -> None:
        now = self.now()
        if self._running:
            self.seconds[self._running[-1]] += now - self._since
        self._since = now


@dataclass
class IngestCounts:
    sources: list[str] = field(default_factory=list)
    failed_sources: dict[str, str] = field(default_factory=dict)
    links_found: int = 0
    pages_fetched: int = 0
    not_modified: int = 0
    left_over: int = 0  # URLs a source's time budget left for the next run
    pages_processed: int = 0
    articles_loaded: int = 0
    duplicates: Counter = field(default_factory=Counter)  # by method: url / exact / near
    rejects: Counter = field(default_factory=Counter)  # by stage
    outside_window: int = 0
    crashed_runs_closed: int = 0
    touched_days: set[date] = field(default_factory=set)
    clock: StageClock = field(default_factory=StageClock)

    def add_harvest(self, harvest: Harvest) -> None:
        self.links_found += harvest.links_found
        self.pages_fetched += len(harvest.pages)
        self.not_modified += harvest.not_modified
        self.left_over += harvest.left_over
        self.add_rejects(harvest.rejects)
        if harvest.rejects and not harvest.links_found and not harvest.not_modified:
            first = harvest.rejects[0]
            self.fail_source(harvest.source_id, f"{first.reason}: {first.detail}".strip(": "))

    def add_rejects(self, rejects: list[Reject]) -> None:
        self.rejects.update(r.stage for r in rejects)

    def fail_source(self, source_id: str, reason: str) -> None:
        """Listed nothing and said why: the listing or archive itself could not be read."""
        self.failed_sources[source_id] = reason

    @property
    def status(self) -> str:
        """A run with a failed source still loads the others: it is partially failed."""
        return "partially_failed" if self.failed_sources else "completed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "sources": self.sources,
            "failed_sources": self.failed_sources,
            "links_found": self.links_found,
            "pages_fetched": self.pages_fetched,
            "not_modified": self.not_modified,
            "left_over": self.left_over,
            "pages_processed": self.pages_processed,
            "articles_loaded": self.articles_loaded,
            "duplicates": dict(sorted(self.duplicates.items())),
            "rejects": dict(sorted(self.rejects.items())),
            "outside_window": self.outside_window,
            "crashed_runs_closed": self.crashed_runs_closed,
            "touched_days": sorted(d.isoformat() for d in self.touched_days),
            "stage_seconds": self.clock.as_dict(),
        }

    def table(self) -> list[dict[str, Any]]:
        """Stage/count rows for a Prefect table artifact."""
        flat = {k: v for k, v in self.as_dict().items() if isinstance(v, int)}
        flat |= {f"duplicates_{k}": v for k, v in self.duplicates.items()}
        flat |= {f"rejects_{k}": v for k, v in self.rejects.items()}
        flat["failed_sources"] = len(self.failed_sources)
        flat |= {f"seconds_{k}": v for k, v in self.clock.as_dict().items()}
        return [{"measure": k, "count": v} for k, v in flat.items()]
