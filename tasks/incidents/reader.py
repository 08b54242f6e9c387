"""The incident reader: everything extraction consults, built once and passed down.

A worker process, a test or an evaluation fold builds exactly the reader it needs (another
gazetteer, another type model) instead of reaching for module-level state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from tasks.incidents.event_model import EventTypeModel
from tasks.incidents.events import Trigger
from tasks.incidents.gazetteer import Gazetteer, load_gazetteer
from tasks.incidents.lexicons import lexicon


@dataclass(frozen=True)
class Typed:
    """An incident's ACLED type and what decided it."""

    event_type: str
    sub_event_type: str
    basis: str
    probability: float | None = None


@dataclass(frozen=True)
class IncidentReader:
    """The gazetteer extraction resolves places with, and the model that types events.

    The rules' trigger types an event unless the model, reading all the sentences that report
    it, gives another event type at least ``min_probability``: the model is right far more
    often than the lexicon on real reports, except where the trigger names the weapon (a
    decisive trigger: ACLED types by the means). Where both name the same event type the
    trigger's sub-event type stands: "captured", "threw stones" say more than the model, which
    leans to the sub-types it saw most. ``probability`` is the model's for the incident's event
    type when the model chose it or agreed, None when the rule stood against it.
    """

    gazetteer: Gazetteer
    model: EventTypeModel | None = None
    min_probability: float = 1.0

    def type_of(self, evidence: str, trigger: Trigger, hint: str | None) -> Typed:
        """The event type of an incident whose sentences are ``evidence``; ``hint`` is the
        rules' sub-event type for them (``event_model.hint_of`` their triggers), as the model
        was trained."""
        rule = Typed(
            trigger.event_type or "", trigger.sub_event_type or "", f"rule: {trigger.words}"
        )
        if self.model is None:
            return rule
        predicted = self.model.predict(evidence, hint)
        if predicted.event_type == rule.event_type:
            return replace(rule, probability=predicted.probability)
        if predicted.probability < self.min_probability or trigger.decisive:
            return rule
        return Typed(predicted.event_type, predicted.sub_event_type, "model", predicted.probability)


def shipped_reader() -> IncidentReader:
    """A new reader of the shipped configuration (gazetteer, type model); costs seconds."""
    settings = lexicon("events")["type_model"]
    return IncidentReader(
        load_gazetteer(), EventTypeModel.load(), float(settings["min_probability"])
    )


@cache
def default_reader() -> IncidentReader:
    """The shipped reader, built once per process, for callers that pass none."""
    return shipped_reader()
