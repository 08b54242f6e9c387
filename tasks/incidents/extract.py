"""Article text -> incidents: one per distinct event (type x place x day), with its evidence.

A sentence reports an event when it has a strong trigger ("shelled", "liberated", "opened
fire") or a casualty figure. Where it names the scene, the event is placed there. An article
goes on about the event it just reported: a later sentence that reports without naming a new
place or a new day ("The victim died.", "Police arrested 18 people.") is more evidence for
that event, its figures included, not an event of its own. A report that no sentence before
it placed inherits the last scene named, or else its country (region-only precision), or
else stays unplaced if it reports a death, says in a verb that it happened ("shelled", not
"the shelling") or gives its day: an event whose town the gazetteer does not know is still
an event.

Sentences with only a weak trigger ("under fire", "attacks") add evidence to an incident
already found at that place and day; they never make one, which keeps reactions ("Turkey
condemned the attacks on Ganja") out. The event type is the rules' unless the reader's
learned model is confident of another (``type_basis`` says which decided).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from tasks.incidents.claims import Attribution, attribute, denial_reaches
from tasks.incidents.event_model import hint_of
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
from tasks.incidents.gazetteer import Gazetteer, PlaceMention
from tasks.incidents.lexicons import Lexicons
from tasks.incidents.model import Casualties, Incident, Mention
from tasks.incidents.quantities import Figure, combine, find_figures, none_reported
from tasks.incidents.reader import IncidentReader, Typed
from tasks.incidents.scene import geo_precision, possible_scenes, scene_places
from tasks.incidents.sentences import Sentence, readable_case, split_sentences
from tasks.incidents.textdates import (
    TextDate,
    find_date,
    headline_date,
    local_day,
    publication_date,
)

HISTORY_DAYS = 365  # a sentence dated further back is background, not news
_TERMINAL = re.compile(r"[.!?][\"'”’)]*$")


@dataclass
class _Draft:
    """An incident being assembled from the sentences that report it."""

    trigger: Trigger
    when: TextDate
    place: PlaceMention | None
    precision: int | None
    actor1: str | None
    actor2: str | None
    attribution: Attribution
    mentions: list[Mention] = field(default_factory=list)
    figures: list[list[Figure]] = field(default_factory=list)  # per sentence
    triggers: list[Trigger] = field(default_factory=list)  # of all its sentences


@dataclass(frozen=True)
class _Reading:
    """What one sentence says, before it is matched to an incident.

    ``text`` is the sentence as matched (an ALL-CAPS headline in ordinary case); the mention
    keeps ``sentence`` as written. ``country`` is the event's country when the sentence names
    no usable town; ``dated`` whether the sentence itself said when; ``heading`` whether it is
    a section heading ("Self-declared leader wounded") announcing what follows; ``triggers``
    every trigger of the sentence, found once for all that consult them.
    """

    sentence: Sentence
    text: str
    when: TextDate
    dated: bool
    places: list[PlaceMention]
    attribution: Attribution
    country: PlaceMention | None
    heading: bool
    triggers: tuple[Trigger, ...]


def extract_incidents(
    text: str,
    published_at: datetime,
    *,
    reader: IncidentReader,
    timezone: str = "UTC",
    source: str | None = None,
) -> list[Incident]:
    """The incidents ``text`` reports, dated against ``published_at`` in ``timezone``."""
    published = local_day(published_at, timezone)
    story = _Story(reader, source)
    for reading in _at_home(_read(text, published, reader), reader.gazetteer):
        story.read(reading)
    return story.incidents()


def _read(text: str, published: date, reader: IncidentReader) -> list[_Reading]:
    """Each news sentence with its date, places and sources; background is left out."""
    gazetteer, lex = reader.gazetteer, reader.lexicons
    countries = gazetteer.countries_in(readable_case(text, lex))
    regions = gazetteer.regions_in(text, countries)
    provinces = gazetteer.provinces_of(regions)
    steer = frozenset(region.country for region in regions)
    context: dict[int, TextDate] = {}
    speaker: str | None = None
    readings = []
    sentences = split_sentences(text, lex)
    headings = _headings(sentences)
    undated = publication_date(published)
    if len(sentences) == 1 and not _TERMINAL.search(sentences[0].text):
        undated = headline_date(published)
    for sentence in sentences:
        matched = readable_case(sentence.text, lex)
        stated = find_date(matched, published)
        if stated is not None:
            context[sentence.paragraph] = stated
        when = stated or context.get(sentence.paragraph) or undated
        attribution = attribute(matched, lex, speaker)
        speaker = attribution.claimed_by or speaker
        if when.date_end < published - timedelta(days=HISTORY_DAYS):
            continue
        if stated is None and (_history(matched, lex) or _long_ago(matched, published, lex)):
            continue  # "waited 30 years": background, unless the sentence dates its own news
        places = gazetteer.find(matched, countries, provinces, steer)
        country = gazetteer.country_of(matched, countries)
        readings.append(
            _Reading(
                sentence,
                matched,
                when,
                stated is not None,
                places,
                attribution,
                country,
                sentence in headings,
                tuple(find_triggers(matched, lex)),
            )
        )
    return readings


def _headings(sentences: list[Sentence]) -> set[Sentence]:
    """Paragraphs of one unpunctuated line with more text after them: section headings."""
    by_paragraph: dict[int, list[Sentence]] = {}
    for sentence in sentences:
        by_paragraph.setdefault(sentence.paragraph, []).append(sentence)
    last = max(by_paragraph, default=0)
    return {
        only
        for number, (only, *more) in by_paragraph.items()
        if not more and number not in (0, last) and not _TERMINAL.search(only.text)
    }


def _at_home(readings: list[_Reading], gazetteer: Gazetteer) -> list[_Reading]:
    """Without towns abroad in an article whose other places (two or more) all lie in one
    country: the "Vostochny neighbourhood" of a Mariupol story is no Russian village. A
    sentence naming the town's country (by name, demonym or capital) keeps it."""
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


class _Story:
    """The article read sentence by sentence: the incidents so far and the one in focus."""

    def __init__(self, reader: IncidentReader, source: str | None) -> None:
        self.reader = reader
        self.lex = reader.lexicons
        self.source = source
        self.drafts: dict[tuple, _Draft] = {}
        self.pointers: list[_Reading] = []
        self.focus: _Draft | None = None  # the event the article is telling about
        self.last_scene: PlaceMention | None = None

    def read(self, reading: _Reading) -> None:
        """File one sentence: a report of an event, more about the one in focus, or a pointer."""
        figures = find_figures(reading.text, self.lex)
        trigger = _event_trigger(reading, figures, self.lex)
        if trigger is None:
            self.pointers.append(reading)
            self.last_scene = self._first_named(reading) or self.last_scene
            return
        actors = find_actors(reading.text, self.lex)
        scenes = _scenes(reading, trigger, figures, actors, self.reader)
        if not scenes and (_tally(reading.text, self.lex) or reading.heading):
            return
        if not scenes and self._goes_on(reading):
            self._add(self.focus, reading, figures)
            return
        targets = scenes or self._fallback(reading, trigger, figures)
        if targets is None:
            return
        self.last_scene = scenes[0] if scenes else self._first_named(reading) or self.last_scene
        actor1, actor2 = actors_around(actors, trigger, reading.text)
        reading = _attributed(reading, trigger, self.lex)
        for place, own in zip(targets, _share_out(figures, len(targets)), strict=True):
            draft = self._draft(reading, trigger, place, actor1, actor2)
            self._add(draft, reading, own)
            self.focus = draft

    def incidents(self) -> list[Incident]:
        """The incidents, in the order the article first reports them."""
        for reading in self.pointers:
            self._attach(reading)
        ordered = sorted(self.drafts.values(), key=lambda d: d.mentions[0].start)
        typed = [(draft, _typed(draft, self.reader)) for draft in ordered]
        return [_incident(draft, kind, self.reader) for draft, kind in _one_per_event(typed)]

    def _first_named(self, reading: _Reading) -> PlaceMention | None:
        """The first place of the sentence that could be a scene, for the reports after it."""
        named = possible_scenes(
            reading.places, reading.text, self.reader.gazetteer.government_names, self.lex
        )
        return named[0] if named else None

    def _goes_on(self, reading: _Reading) -> bool:
        """A sentence naming no scene and no other day tells more of the event in focus."""
        focus = self.focus
        return focus is not None and (
            not reading.dated or reading.when.event_date == focus.when.event_date
        )

    def _fallback(
        self, reading: _Reading, trigger: Trigger, figures: list[Figure]
    ) -> list[PlaceMention | None] | None:
        """Where an event no sentence placed happened: the last scene named, else its
        country, else unknown; None when it is no event (a word like "the shelling reports"
        or "leader wounded" with no death, no day and no country to anchor it)."""
        if self.last_scene is not None:
            return [self.last_scene]
        if reading.country is not None:
            return [reading.country]
        return [None] if _deaths(figures) or trigger.verbal or reading.dated else None

    def _draft(
        self,
        reading: _Reading,
        trigger: Trigger,
        place: PlaceMention | None,
        actor1: str | None,
        actor2: str | None,
    ) -> _Draft:
        key = (
            trigger.event_type,
            trigger.sub_event_type,
            _place_key(place),
            reading.when.event_date,
            reading.attribution.status in ("denied", "disputed"),
        )
        precision = geo_precision(place, reading.text, self.lex) if place is not None else None
        draft = self.drafts.setdefault(
            key,
            _Draft(trigger, reading.when, place, precision, actor1, actor2, reading.attribution),
        )
        draft.actor1, draft.actor2 = draft.actor1 or actor1, draft.actor2 or actor2
        if draft.attribution.claimed_by is None:
            draft.attribution = reading.attribution
        return draft

    def _add(self, draft: _Draft, reading: _Reading, figures: list[Figure]) -> None:
        draft.figures.append(figures)
        draft.triggers.extend(reading.triggers)
        draft.mentions.append(_mention(reading, figures, self.source, self.lex))

    def _attach(self, reading: _Reading) -> None:
        """A pointer sentence is evidence for the first incident at one of its places that
        day; one without even a weak trigger ("Its defenders are known in Ukraine as
        cyborgs") is background, not evidence."""
        if not reading.triggers:
            return
        places = {_place_key(p) for p in reading.places}
        for draft in self.drafts.values():
            same_day = draft.when.event_date == reading.when.event_date
            if _place_key(draft.place) in places and same_day:
                draft.mentions.append(_mention(reading, [], self.source, self.lex))
                return


def _attributed(reading: _Reading, trigger: Trigger, lex: Lexicons) -> _Reading:
    """The sentence's sources for this trigger: a denier who goes on to say the event
    happened ("denied X and said ... in response to Armenian shelling") claims it."""
    attribution = reading.attribution
    if attribution.denied_by is None or denial_reaches(reading.text, trigger.start, lex):
        return reading
    claimant = attribution.claimed_by or attribution.denied_by
    return replace(reading, attribution=Attribution(claimant, None))


def _share_out(figures: list[Figure], scenes: int) -> list[list[Figure]]:
    """Each scene's figures: "killing two in A and three in B" pairs them in order; a figure
    the sentence gives for a list of scenes stays with the first, so it counts once."""
    if len(figures) == scenes:
        return [[figure] for figure in figures]
    return [figures] + [[] for _ in range(scenes - 1)]


def _scenes(
    reading: _Reading,
    trigger: Trigger,
    figures: list[Figure],
    actors: list[ActorMention],
    reader: IncidentReader,
) -> list[PlaceMention]:
    """Where the event happened; a casualty report naming no scene is placed in its country,
    unless its figure is a tally (a country's total is context, a town's total its own)."""
    places = [p for p in reading.places if not any(a.start <= p.start < a.end for a in actors)]
    gazetteer, lex = reader.gazetteer, reader.lexicons
    targets = scene_places(places, trigger, reading.text, gazetteer.government_names, lex)
    if not targets and figures and reading.country is not None and reading.country.end:
        targets = [reading.country]
    if _tally(reading.text, lex):
        targets = [p for p in targets if p.place.location not in gazetteer.country_proper_names]
    return targets


def _event_trigger(reading: _Reading, figures: list[Figure], lex: Lexicons) -> Trigger | None:
    """The strong trigger that types the sentence, else its first casualty figure. A weapon
    named beside a clash does not decide the type: both sides fighting is a battle, whatever
    they fired."""
    strong = [t for t in reading.triggers if t.strong]
    if strong:
        chosen = protest_refined(strong, reading.text, _deaths(figures), lex)
        if chosen.decisive and any(t.event_type == "Battles" for t in strong):
            return replace(chosen, decisive=False)  # a battle fought with artillery too
        return chosen
    if not figures:
        return None
    first = figures[0]
    event_type, sub_event_type = casualties_only_type(first.civilian, lex)
    return Trigger(event_type, sub_event_type, True, first.start, first.end, False, "casualties")


def _deaths(figures: list[Figure]) -> bool:
    return any(f.kind == "killed" for f in figures)


def _place_key(place: PlaceMention | None) -> str:
    if place is None:
        return "?"
    return str(place.place.geonameid or place.place.location)


def _mention(
    reading: _Reading, figures: list[Figure], source: str | None, lex: Lexicons
) -> Mention:
    sentence = reading.sentence
    return Mention(
        sentence.text,
        sentence.start,
        sentence.end,
        _figure([figures], reading.text, "killed", lex),
        _figure([figures], reading.text, "injured", lex),
        source=source,
    )


def _figure(figures: list[list[Figure]], text: str, kind: str, lex: Lexicons) -> Casualties:
    found = combine(figures, kind)
    if found == Casualties() and none_reported(text, kind, lex):
        return Casualties(0, 0, 0)
    return found


def _typed(draft: _Draft, reader: IncidentReader) -> Typed:
    evidence = " ".join(m.sentence for m in draft.mentions)
    return reader.type_of(evidence, draft.trigger, hint_of(draft.triggers))


def _one_per_event(typed: list[tuple[_Draft, Typed]]) -> list[tuple[_Draft, Typed]]:
    """Drafts the rules kept apart ("attacked", "projectiles") but the model typed alike are
    one event at that place and day: one incident with all their sentences, the first's type."""
    events: dict[tuple, tuple[_Draft, Typed]] = {}
    for draft, kind in typed:
        key = (kind.event_type, kind.sub_event_type, _place_key(draft.place), draft.when.event_date)
        key += (draft.attribution.status in ("denied", "disputed"),)
        if key in events:
            first, first_kind = events[key]
            events[key] = (_joined(first, draft), first_kind)
        else:
            events[key] = (draft, kind)
    return list(events.values())


def _joined(first: _Draft, other: _Draft) -> _Draft:
    """One draft with the sentences, figures and sources of both."""
    attribution = Attribution(
        first.attribution.claimed_by or other.attribution.claimed_by,
        first.attribution.denied_by or other.attribution.denied_by,
    )
    return replace(
        first,
        actor1=first.actor1 or other.actor1,
        actor2=first.actor2 or other.actor2,
        attribution=attribution,
        mentions=sorted([*first.mentions, *other.mentions], key=lambda m: m.start),
        figures=[*first.figures, *other.figures],
        triggers=[*first.triggers, *other.triggers],
    )


def _incident(draft: _Draft, typed: Typed, reader: IncidentReader) -> Incident:
    place = draft.place.place if draft.place is not None else None
    country = place.country if place is not None else None
    killed = _total(draft, "killed")
    civilian = _civilian(draft.figures)
    actor1, actor2 = draft.actor1, draft.actor2
    gazetteer = reader.gazetteer
    if actor1 is None and country and government_acts(typed.sub_event_type, reader.lexicons):
        actor1 = f"Military Forces of {gazetteer.country_name(country)}"
    if civilian and actor2 is None and country:
        actor2 = civilians_actor(gazetteer.country_name(country), reader.lexicons)
    return Incident(
        event_type=typed.event_type,
        sub_event_type=typed.sub_event_type,
        event_date=draft.when.event_date,
        date_start=draft.when.date_start,
        date_end=draft.when.date_end,
        time_precision=draft.when.time_precision,
        date_basis=draft.when.date_basis,
        location=place.location if place else None,
        admin1=place.admin1 if place else None,
        country=gazetteer.iso3(country) if country else None,
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        geonameid=place.geonameid if place else None,
        geo_precision=draft.precision,
        actor1=actor1,
        actor2=actor2,
        killed=killed,
        injured=_total(draft, "injured"),
        civilian_killed=civilian,
        claim_status=draft.attribution.status,
        claimed_by=draft.attribution.claimed_by,
        denied_by=draft.attribution.denied_by,
        claimed_by_actor1=_same_side(actor1, draft.attribution.claimed_by, reader.gazetteer),
        type_basis=typed.basis,
        type_probability=typed.probability,
        mentions=tuple(draft.mentions),
    )


def _total(draft: _Draft, kind: str) -> Casualties:
    """The event's figure from all its sentences: restated figures count once."""
    found = combine(draft.figures, kind)
    none = Casualties(0, 0, 0)
    if found == Casualties() and any(getattr(m, kind) == none for m in draft.mentions):
        return none
    return found


def _same_side(actor: str | None, claimant: str | None, gazetteer: Gazetteer) -> bool:
    """The claimant belongs to the actor's country ("Armenian soldiers" for Armenia's forces)."""
    if not actor or not claimant:
        return False
    return bool(gazetteer.countries_in(actor) & gazetteer.countries_in(claimant))


def _civilian(figures: list[list[Figure]]) -> bool | None:
    victims = [
        f.civilian for fs in figures for f in fs if f.kind == "killed" and f.civilian is not None
    ]
    return any(victims) if victims else None


def _history(sentence: str, lex: Lexicons) -> bool:
    return bool(lex.regex(lex["text"]["history"]).search(sentence))


def _long_ago(sentence: str, published: date, lex: Lexicons) -> bool:
    """ "Israel seized the territories in the 1967 war": a year long past, so no news."""
    years = [int(m["year"]) for m in lex.regex(lex["text"]["history_year"]).finditer(sentence)]
    return bool(years) and max(years) <= published.year - lex["text"]["history_years"]


def _tally(sentence: str, lex: Lexicons) -> bool:
    """A war-long or months-long total is context, not an event of its own."""
    return bool(lex.regex(lex["text"]["tally"]).search(sentence))
