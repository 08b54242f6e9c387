"""Article text -> incidents: one per distinct event (type x place x day), with its evidence.

A sentence becomes (part of) an incident when it names a place and either a strong trigger
("shelled", "liberated") or a casualty figure. Sentences with only a weak trigger ("under
fire", "attacks") add evidence to an incident already found at that place and day; they never
make one, which keeps reactions ("Turkey condemned the attacks on Ganja") out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from tasks.incidents.claims import Attribution, attribute
from tasks.incidents.events import (
    Trigger,
    actors_around,
    casualties_only_type,
    civilians_actor,
    find_actors,
    find_triggers,
    government_acts,
)
from tasks.incidents.gazetteer import PlaceMention, country_name, iso3, load_gazetteer
from tasks.incidents.lexicons import lexicon
from tasks.incidents.model import Casualties, Incident, Mention
from tasks.incidents.quantities import Figure, find_figures, none_reported, total
from tasks.incidents.sentences import Sentence, split_sentences
from tasks.incidents.textdates import TextDate, find_date, local_day, publication_date

HISTORY_DAYS = 365  # a sentence dated further back is background, not news
_LIST_GAP = re.compile(r"^(?:\s*,)?\s*(?:and|or|as well as)?\s*$")
_NEAR = re.compile(r"\b(?:near|outskirts of|outside|around|close to|north of|south of|east of|"
                   r"west of|district of|area of)\s+(?:the\s+)?$", re.IGNORECASE)
_ORIGIN = re.compile(r"\b(?:from|outside of|withdraw from)\s+(?:the\s+)?$", re.IGNORECASE)


@dataclass
class _Draft:
    """An incident being assembled from the sentences that report it."""

    event_type: str
    sub_event_type: str
    when: TextDate
    place: PlaceMention
    actor1: str | None
    actor2: str | None
    attribution: Attribution
    mentions: list[Mention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass(frozen=True)
class _Reading:
    """What one sentence says, before it is matched to an incident."""

    sentence: Sentence
    when: TextDate
    places: list[PlaceMention]
    attribution: Attribution


def extract_incidents(text: str, published_at: datetime, *, timezone: str = "UTC",
                      source: str | None = None) -> list[Incident]:
    """The incidents ``text`` reports, dated against ``published_at`` in ``timezone``."""
    published = local_day(published_at, timezone)
    drafts: dict[tuple, _Draft] = {}
    pointers: list[_Reading] = []
    for reading in _read(text, published):
        if not _report(reading, drafts, source):
            pointers.append(reading)
    for reading in pointers:
        _attach(reading, drafts, source)
    ordered = sorted(drafts.values(), key=lambda d: d.mentions[0].start)
    return [_incident(draft) for draft in ordered]


def _read(text: str, published: date) -> list[_Reading]:
    """Each news sentence that names a place, with its date, places and sources."""
    gazetteer = load_gazetteer()
    countries = gazetteer.countries_in(text)
    context: dict[int, TextDate] = {}
    speaker: str | None = None
    readings = []
    for sentence in split_sentences(text):
        when = find_date(sentence.text, published)
        if when is not None:
            context[sentence.paragraph] = when
        when = when or context.get(sentence.paragraph) or publication_date(published)
        attribution = attribute(sentence.text, speaker)
        speaker = attribution.claimed_by or speaker
        if _history(sentence.text) or when.date_end < published - timedelta(days=HISTORY_DAYS):
            continue
        places = gazetteer.find(sentence.text, countries)
        if places:
            readings.append(_Reading(sentence, when, places, attribution))
    return readings


def _report(reading: _Reading, drafts: dict[tuple, _Draft], source: str | None) -> bool:
    """Add the incidents a sentence reports; False when it only points at one."""
    text = reading.sentence.text
    strong = [t for t in find_triggers(text) if t.strong]
    figures = find_figures(text)
    if strong:
        trigger = strong[0]
    elif figures:
        first = figures[0]
        event_type, sub_event_type = casualties_only_type(first.civilian)
        trigger = Trigger(event_type, sub_event_type, True, first.start, first.end)
    else:
        return False
    actors = find_actors(text)
    places = [p for p in reading.places if not any(a.start <= p.start < a.end for a in actors)]
    targets = _targets(places, trigger, text)
    actor1, actor2 = actors_around(actors, trigger, text)
    for place in targets:
        key = (trigger.event_type, trigger.sub_event_type, _place_key(place),
               reading.when.event_date, reading.attribution.status in ("denied", "disputed"))
        draft = drafts.setdefault(key, _Draft(
            trigger.event_type, trigger.sub_event_type, reading.when, place, actor1, actor2,
            reading.attribution))
        draft.actor1, draft.actor2 = draft.actor1 or actor1, draft.actor2 or actor2
        if draft.attribution.claimed_by is None:
            draft.attribution = reading.attribution
        own_figures = figures if len(targets) == 1 else []
        draft.figures.extend(own_figures)
        draft.mentions.append(_mention(reading.sentence, own_figures, source))
    return True


def _attach(reading: _Reading, drafts: dict[tuple, _Draft], source: str | None) -> None:
    """A pointer sentence is evidence for the first incident at one of its places that day."""
    places = {_place_key(p) for p in reading.places}
    for draft in drafts.values():
        if _place_key(draft.place) in places and draft.when.event_date == reading.when.event_date:
            draft.mentions.append(_mention(reading.sentence, [], source))
            return


def _targets(places: list[PlaceMention], trigger: Trigger, text: str) -> list[PlaceMention]:
    """The places a trigger is about: the list after it ("against Tartar, Fuzuli and
    Goradiz"), or failing that the nearest place before it ("Jabrayil was liberated")."""
    places = [p for p in places
              if not _ORIGIN.search(text[: p.start]) and not _speaking(text[p.end:])]
    after = [p for p in places if p.start >= trigger.end]
    if not after:
        return [p for p in places if p.end <= trigger.start][-1:]
    chosen = [after[0]]
    for place in after[1:]:
        if not _LIST_GAP.match(text[chosen[-1].end: place.start]):
            break
        chosen.append(place)
    return chosen


def _speaking(rest: str) -> bool:
    """"Baku said", "Kiev denied": a capital standing for its government is no target."""
    verbs = f"{lexicon('claims')['claim_verbs']}|{lexicon('claims')['denial_verbs']}"
    return bool(re.match(rf"\s+(?:{verbs})\b", rest))


def _place_key(place: PlaceMention) -> str:
    return str(place.place.geonameid or place.place.location)


def _mention(sentence: Sentence, figures: list[Figure], source: str | None) -> Mention:
    return Mention(sentence.text, sentence.start, sentence.end,
                   _figure(figures, sentence, "killed"), _figure(figures, sentence, "injured"),
                   source=source)


def _figure(figures: list[Figure], sentence: Sentence, kind: str) -> Casualties:
    found = total(figures, kind)
    if found == Casualties() and none_reported(sentence.text, kind):
        return Casualties(0, 0, 0)
    return found


def _incident(draft: _Draft) -> Incident:
    place = draft.place.place
    killed = _largest([m.killed for m in draft.mentions])
    civilian = _civilian(draft.figures)
    actor1, actor2 = draft.actor1, draft.actor2
    if actor1 is None and government_acts(draft.sub_event_type):
        actor1 = f"Military Forces of {country_name(place.country)}"
    if civilian and actor2 is None:
        actor2 = civilians_actor(country_name(place.country))
    return Incident(
        draft.event_type, draft.sub_event_type, draft.when.event_date, draft.when.date_start,
        draft.when.date_end, draft.when.time_precision, draft.when.date_basis, place.location,
        place.admin1, iso3(place.country), place.latitude, place.longitude, place.geonameid,
        _precision(draft), actor1, actor2, killed,
        _largest([m.injured for m in draft.mentions]), civilian, draft.attribution.status,
        draft.attribution.claimed_by, draft.attribution.denied_by, tuple(draft.mentions))


def _precision(draft: _Draft) -> int:
    first = draft.mentions[0]
    before = first.sentence[: draft.place.start]
    if draft.place.place.precision == 1 and _NEAR.search(before):
        return 2
    return draft.place.place.precision


def _largest(figures: list[Casualties]) -> Casualties:
    """Sentences repeating a figure restate it; the largest of each end is what was reported."""
    def top(end: str) -> int | None:
        values = [getattr(f, end) for f in figures if getattr(f, end) is not None]
        return max(values) if values else None
    return Casualties(top("low"), top("best"), top("high"))


def _civilian(figures: list[Figure]) -> bool | None:
    victims = [f.civilian for f in figures if f.kind == "killed" and f.civilian is not None]
    return any(victims) if victims else None


@cache
def _history_pattern() -> re.Pattern[str]:
    return re.compile(lexicon("text")["history"], re.IGNORECASE)


def _history(sentence: str) -> bool:
    return bool(_history_pattern().search(sentence))
