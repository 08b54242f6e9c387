"""What kind of event a sentence reports (ACLED's vocabulary) and who took part.

The trigger words and actor phrasings are in ``config/lexicons``; this module only applies
them: which trigger fires, whether it is realised ("will destroy" is a threat, not a strike)
and which actors stand before and after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tasks.incidents.folding import FoldedSearch, WordLists
from tasks.incidents.lexicons import Lexicons


@dataclass(frozen=True)
class Trigger:
    """A word that reports an event; weak ones only point at an event reported elsewhere."""

    event_type: str | None
    sub_event_type: str | None
    strong: bool
    start: int
    end: int
    verbal: bool = False  # a verb that says it happened ("shelled"), not a noun ("shelling")
    words: str = ""  # the trigger as written: the rule's evidence in ``type_basis``
    decisive: bool = False  # names the weapon, so no model may retype it
    priority: int = 0  # the entry's place in the lexicon: the first entry types a sentence


@dataclass(frozen=True)
class ActorMention:
    """An actor phrase as written, and the ACLED-style name it stands for."""

    name: str
    start: int
    end: int


def find_triggers(sentence: str, lex: Lexicons) -> list[Trigger]:
    """Realised triggers in lexicon priority order (the first strong one types the sentence)."""
    unrealised = lex.built(_unrealised)
    verbal = lex.words(lex["events"]["verbal_forms"])
    templates, words = lex.built(_triggers)
    each = zip(templates, words.matches(sentence), strict=True)
    triggers = []
    for priority, (entry, matches) in enumerate(each):
        for match in matches:
            if unrealised.search(sentence, match.start()):
                continue
            triggers.append(
                replace(
                    entry,
                    start=match.start(),
                    end=match.end(),
                    verbal=bool(verbal.fullmatch(match.group(0))),
                    words=match.group(0),
                    priority=priority,
                )
            )
    return triggers


def _triggers(lex: Lexicons) -> tuple[list[Trigger], WordLists]:
    """Each trigger entry as a Trigger template, and their patterns."""
    entries = lex["events"]["triggers"]
    templates = [
        Trigger(
            entry.get("event_type"),
            entry.get("sub_event_type"),
            entry.get("strength", "strong") == "strong",
            0,
            0,
            decisive=bool(entry.get("decisive")),
        )
        for entry in entries
    ]
    return templates, WordLists([entry["pattern"] for entry in entries], lex)


def protest_refined(strong: list[Trigger], sentence: str, deaths: bool, lex: Lexicons) -> Trigger:
    """The trigger that types a sentence, a protest told apart by how it was met.

    Police storming or arresting protesters is a protest with intervention in ACLED's terms,
    not a clash or an arrest, so a protest trigger wins over those; killing protesters is
    excessive force (deaths where the force is named), and protesters throwing stones a
    violent demonstration (a riot).
    """
    words = lex["events"]
    protests = [t for t in strong if t.event_type == "Protests"]
    first = strong[0]
    if not protests or (
        first.event_type != "Protests" and first.sub_event_type not in words["protest_overrides"]
    ):
        return first
    protest = protests[0]
    force, refinements = lex.built(_protest_met)
    if deaths and force.search(sentence):
        return replace(protest, sub_event_type=words["protest_deaths"])
    for entry, pattern in refinements:
        if pattern.search(sentence):
            return replace(
                protest, event_type=entry["event_type"], sub_event_type=entry["sub_event_type"]
            )
    return protest


def _protest_met(lex: Lexicons) -> tuple[FoldedSearch, list[tuple[dict, FoldedSearch]]]:
    """The words for the force that kills protesters, and each refinement with its words."""
    words = lex["events"]

    def search(alternatives: str) -> FoldedSearch:
        return FoldedSearch(lex.words(alternatives).pattern, lex)

    refinements = [(entry, search(entry["pattern"])) for entry in words["protest_refinements"]]
    return search(words["protest_force"]), refinements


def casualties_only_type(civilian: bool | None, lex: Lexicons) -> tuple[str, str]:
    """The type of a sentence that reports deaths at a place without saying how."""
    entry = lex["events"]["casualties_only"]["civilians" if civilian else "otherwise"]
    return entry["event_type"], entry["sub_event_type"]


def government_acts(sub_event_type: str, lex: Lexicons) -> bool:
    """Whether the state of the place is the first actor when the text names nobody."""
    return sub_event_type in lex["events"]["government_actor_sub_events"]


def find_actors(sentence: str, lex: Lexicons) -> list[ActorMention]:
    """Every actor phrase of ``sentence``, left to right, without overlaps."""
    names, words = lex.built(_actors)
    found: list[ActorMention] = []
    for name, matches in zip(names, words.matches(sentence), strict=True):
        for match in matches:
            if not any(match.start() < a.end and a.start < match.end() for a in found):
                found.append(ActorMention(name, match.start(), match.end()))
    return sorted(found, key=lambda a: a.start)


def _actors(lex: Lexicons) -> tuple[list[str], WordLists]:
    """The actor names of the lexicon, and their patterns."""
    entries = lex["actors"]["actors"]
    return [entry["name"] for entry in entries], WordLists([e["pattern"] for e in entries], lex)


def actors_around(
    actors: list[ActorMention], trigger: Trigger, sentence: str
) -> tuple[str | None, str | None]:
    """actor1 acts (before the trigger, or "by X" after it); actor2 is acted on (after it)."""
    before = [a for a in actors if a.end <= trigger.start]
    after = [a for a in actors if a.start >= trigger.end]
    passive = [a for a in after if re.search(r"\bby\s+(?:the\s+)?$", sentence[: a.start])]
    actor1 = passive[0].name if passive else (before[-1].name if before else None)
    others = [a.name for a in after if a.name != actor1 and a not in passive]
    return actor1, (others[0] if others else None)


def civilians_actor(country: str, lex: Lexicons) -> str:
    """ACLED names civilian victims by their country."""
    return lex["actors"]["civilians_actor"].format(country=country)


def _unrealised(lex: Lexicons) -> FoldedSearch:
    """The words that make a trigger right after them unrealised ("will destroy")."""
    words = lex["events"]["unrealised_before"]
    return FoldedSearch(rf"\b(?:{words})\s+(?:\w+\s+)?$", lex)
