"""Article text -> incidents: one per distinct event (type x place x day), with its evidence.

A sentence becomes (part of) an incident when it names a place and either a strong trigger
("shelled", "liberated") or a casualty figure. Sentences with only a weak trigger ("under
fire", "attacks") add evidence to an incident already found at that place and day; they never
make one, which keeps reactions ("Turkey condemned the attacks on Ganja") out. A casualty
figure with no place that could be the scene ("Ukrainian soldier killed in rebel east: Kiev")
is still an event: it is placed in its country at region-only precision, as analysts code it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache

from tasks.incidents.claims import Attribution, attribute
from tasks.incidents.events import (
    ActorMention,
    Trigger,
    actors_around,
    casualties_only_type,
    civilians_actor,
    find_actors,
    find_triggers,
    government_acts,
    protest_refined,
)
from tasks.incidents.gazetteer import Gazetteer, PlaceMention, country_name, iso3, load_gazetteer
from tasks.incidents.lexicons import lexicon
from tasks.incidents.model import Casualties, Incident, Mention
from tasks.incidents.quantities import Figure, find_figures, none_reported, total
from tasks.incidents.scene import geo_precision, scene_places
from tasks.incidents.sentences import Sentence, readable_case, split_sentences
from tasks.incidents.textdates import TextDate, find_date, local_day, publication_date

HISTORY_DAYS = 365  # a sentence dated further back is background, not news


@dataclass
class _Draft:
    """An incident being assembled from the sentences that report it."""

    event_type: str
    sub_event_type: str
    when: TextDate
    place: PlaceMention
    precision: int
    actor1: str | None
    actor2: str | None
    attribution: Attribution
    mentions: list[Mention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass(frozen=True)
class _Reading:
    """What one sentence says, before it is matched to an incident.

    ``text`` is the sentence as matched (an ALL-CAPS headline in ordinary case); the mention
    keeps ``sentence`` as written. ``country`` is where a casualty report that names no usable
    town happened, at region-only precision.
    """

    sentence: Sentence
    text: str
    when: TextDate
    places: list[PlaceMention]
    attribution: Attribution
    country: PlaceMention | None


def extract_incidents(
    text: str, published_at: datetime, *, timezone: str = "UTC", source: str | None = None
) -> list[Incident]:
    """The incidents ``text`` reports, dated against ``published_at`` in ``timezone``."""
    published = local_day(published_at, timezone)
    drafts: dict[tuple, _Draft] = {}
    pointers: list[_Reading] = []
    for reading in _at_home(_read(text, published)):
        if not _report(reading, drafts, source):
            pointers.append(reading)
    for reading in pointers:
        _attach(reading, drafts, source)
    ordered = sorted(drafts.values(), key=lambda d: d.mentions[0].start)
    return [_incident(draft) for draft in ordered]


def _read(text: str, published: date) -> list[_Reading]:
    """Each news sentence that names a place or a country, with its date, places and sources."""
    gazetteer = load_gazetteer()
    countries = gazetteer.countries_in(readable_case(text))
    regions = gazetteer.regions_in(text, countries)
    provinces = gazetteer.provinces_of(regions)
    steer = frozenset(region.country for region in regions)
    context: dict[int, TextDate] = {}
    speaker: str | None = None
    readings = []
    for sentence in split_sentences(text):
        matched = readable_case(sentence.text)
        when = find_date(matched, published)
        if when is not None:
            context[sentence.paragraph] = when
        when = when or context.get(sentence.paragraph) or publication_date(published)
        attribution = attribute(matched, speaker)
        speaker = attribution.claimed_by or speaker
        if _history(matched) or when.date_end < published - timedelta(days=HISTORY_DAYS):
            continue
        places = gazetteer.find(matched, countries, provinces, steer)
        country = gazetteer.country_of(matched, countries)
        if places or country:
            readings.append(_Reading(sentence, matched, when, places, attribution, country))
    return readings


def _at_home(readings: list[_Reading]) -> list[_Reading]:
    """Without towns abroad in an article whose other places (two or more) all lie in one
    country: the "Vostochny neighbourhood" of a Mariupol story is no Russian village. A
    sentence naming the town's country (by name, demonym or capital) keeps it."""
    gazetteer = load_gazetteer()
    countries = {_place_key(p): p.place.country for r in readings for p in r.places}

    def abroad(place: PlaceMention, reading: _Reading) -> bool:
        others = [c for key, c in countries.items() if key != _place_key(place)]
        return (
            len(others) >= 2
            and len(set(others)) == 1
            and place.place.country not in others
            and place.place.country not in gazetteer.countries_in(reading.text)
        )

    return [replace(r, places=[p for p in r.places if not abroad(p, r)]) for r in readings]


def _report(reading: _Reading, drafts: dict[tuple, _Draft], source: str | None) -> bool:
    """Add the incidents a sentence reports; False when it only points at one."""
    text = reading.text
    figures = find_figures(text)
    trigger = _event_trigger(text, figures)
    if trigger is None:
        return False
    actors = find_actors(text)
    targets = _scenes(reading, trigger, figures, actors)
    actor1, actor2 = actors_around(actors, trigger, text)
    for place in targets:
        key = (
            trigger.event_type,
            trigger.sub_event_type,
            _place_key(place),
            reading.when.event_date,
            reading.attribution.status in ("denied", "disputed"),
        )
        draft = drafts.setdefault(
            key,
            _Draft(
                trigger.event_type,
                trigger.sub_event_type,
                reading.when,
                place,
                geo_precision(place, text),
                actor1,
                actor2,
                reading.attribution,
            ),
        )
        draft.actor1, draft.actor2 = draft.actor1 or actor1, draft.actor2 or actor2
        if draft.attribution.claimed_by is None:
            draft.attribution = reading.attribution
        own_figures = figures if len(targets) == 1 else []
        draft.figures.extend(own_figures)
        draft.mentions.append(_mention(reading, own_figures, source))
    return True


def _scenes(
    reading: _Reading, trigger: Trigger, figures: list[Figure], actors: list[ActorMention]
) -> list[PlaceMention]:
    """Where the event happened; a casualty report naming no scene is placed in its country,
    unless its figure is a tally (a country's total is context, a town's total its own)."""
    gazetteer = load_gazetteer()
    places = [p for p in reading.places if not any(a.start <= p.start < a.end for a in actors)]
    targets = scene_places(places, trigger, reading.text, _government_names(gazetteer))
    if not targets and figures and reading.country is not None:
        targets = [reading.country]
    if _tally(reading.text):
        targets = [p for p in targets if p.place.location not in gazetteer.country_proper_names]
    return targets


def _event_trigger(text: str, figures: list[Figure]) -> Trigger | None:
    """The strong trigger that types the sentence, else its first casualty figure."""
    strong = [t for t in find_triggers(text) if t.strong]
    if strong:
        return protest_refined(strong, text, any(f.kind == "killed" for f in figures))
    if not figures:
        return None
    event_type, sub_event_type = casualties_only_type(figures[0].civilian)
    return Trigger(event_type, sub_event_type, True, figures[0].start, figures[0].end)


def _attach(reading: _Reading, drafts: dict[tuple, _Draft], source: str | None) -> None:
    """A pointer sentence is evidence for the first incident at one of its places that day;
    one without even a weak trigger ("Its defenders are known in Ukraine as cyborgs") is
    background, not evidence."""
    if not find_triggers(reading.text):
        return
    places = {_place_key(p) for p in reading.places}
    for draft in drafts.values():
        if _place_key(draft.place) in places and draft.when.event_date == reading.when.event_date:
            draft.mentions.append(_mention(reading, [], source))
            return


@cache
def _government_names(gazetteer: Gazetteer) -> frozenset[str]:
    """Capitals that may stand for their governments: the config's ways of naming a country."""
    return frozenset(gazetteer.country_names) - gazetteer.country_proper_names


def _place_key(place: PlaceMention) -> str:
    return str(place.place.geonameid or place.place.location)


def _mention(reading: _Reading, figures: list[Figure], source: str | None) -> Mention:
    sentence = reading.sentence
    return Mention(
        sentence.text,
        sentence.start,
        sentence.end,
        _figure(figures, reading.text, "killed"),
        _figure(figures, reading.text, "injured"),
        source=source,
    )


def _figure(figures: list[Figure], text: str, kind: str) -> Casualties:
    found = total(figures, kind)
    if found == Casualties() and none_reported(text, kind):
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
        draft.event_type,
        draft.sub_event_type,
        draft.when.event_date,
        draft.when.date_start,
        draft.when.date_end,
        draft.when.time_precision,
        draft.when.date_basis,
        place.location,
        place.admin1,
        iso3(place.country),
        place.latitude,
        place.longitude,
        place.geonameid,
        draft.precision,
        actor1,
        actor2,
        killed,
        _largest([m.injured for m in draft.mentions]),
        civilian,
        draft.attribution.status,
        draft.attribution.claimed_by,
        draft.attribution.denied_by,
        _same_side(actor1, draft.attribution.claimed_by),
        tuple(draft.mentions),
    )


def _same_side(actor: str | None, claimant: str | None) -> bool:
    """The claimant belongs to the actor's country ("Armenian soldiers" for Armenia's forces)."""
    if not actor or not claimant:
        return False
    gazetteer = load_gazetteer()
    return bool(gazetteer.countries_in(actor) & gazetteer.countries_in(claimant))


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


@cache
def _tally_pattern() -> re.Pattern[str]:
    return re.compile(lexicon("text")["tally"], re.IGNORECASE)


def _tally(sentence: str) -> bool:
    """A war-long or months-long total is context, not an event of its own."""
    return bool(_tally_pattern().search(sentence))
