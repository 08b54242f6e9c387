"""The incident reader: everything extraction consults, built once and passed down.

A worker process, a test or an evaluation fold builds exactly the reader it needs (another
gazetteer, another type model) instead of reaching for module-level state.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from tasks.incidents.events import Trigger
from tasks.incidents.gazetteer import Gazetteer, load_gazetteer


@dataclass(frozen=True)
class Typed:
    """An incident's ACLED type and what decided it."""

    event_type: str
    sub_event_type: str
    basis: str
    probability: float | None = None


@dataclass(frozen=True)
class IncidentReader:
    """The gazetteer extraction resolves places with."""

    gazetteer: Gazetteer

    def type_of(self, evidence: str, trigger: Trigger) -> Typed:
        """The type the rules gave the trigger."""
        return Typed(
            trigger.event_type or "", trigger.sub_event_type or "", f"rule: {trigger.words}"
        )


@cache
def default_reader() -> IncidentReader:
    """The reader of the shipped configuration, built once per process."""
    return IncidentReader(load_gazetteer())
