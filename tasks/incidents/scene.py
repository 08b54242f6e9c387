"""Which of the places a sentence names is where its event happened, and how precisely.

A sentence names places for many reasons besides the scene: the speaker ("Kiev says",
"...: Kiev military"), a party ("Kiev's forces"), a meeting ("ahead of Minsk talks", "the
truce agreed in Minsk"), a unit ("the Donbas battalion"), where people came from ("troops
withdrew from Ilovaisk"), where the reporter filed from ("KYIV -"). Only the scene makes an
incident; the phrasings that rule a place out are in ``config/lexicons/places.yaml``.
"""

from __future__ import annotations

import re

from tasks.incidents.events import Trigger
from tasks.incidents.gazetteer import Place, PlaceMention
from tasks.incidents.lexicons import Lexicons

_IN_PROVINCE = re.compile(
    r"\s*(?:,|in|of)\s*(?:the\s+)?(?:(?:province|governorate|region|state) of\s+)?"
)
_LIST_GAP = re.compile(r"^(?:\s*,)?\s*(?:and|or|as well as)?\s*$")
# The names listed before a place: "near Shchastia and <place>" is near both.
# One capitalised word per step, so a long run of names cannot make the search backtrack.
_LISTED_BEFORE = r"(?:(?-i:[A-Z])[\w'’-]*,?\s+(?:(?:and|or)\s+)?)*"


def scene_places(
    places: list[PlaceMention],
    trigger: Trigger,
    text: str,
    government_names: set[str],
    lex: Lexicons,
) -> list[PlaceMention]:
    """The places a trigger is about: the list after it ("against Tartar, Fuzuli and
    Goradiz"), or failing that the nearest place or list before or inside it ("Jabrayil was
    liberated", "Four Donetsk militiamen killed", "Shchastia and Avdiivka came under fire").

    ``government_names`` are the capitals that may stand for a government ("Kiev").
    """
    places = possible_scenes(places, text, government_names, lex)
    places = _without_surrounding_regions(_without_qualifiers(places, text), text)
    after = [p for p in places if p.start >= trigger.end]
    if after:
        return _listed(after, text)
    before = [p for p in places if p.start < trigger.end]
    return _listed(before[::-1], text)[::-1]


def _without_surrounding_regions(places: list[PlaceMention], text: str) -> list[PlaceMention]:
    """A region named beside a town in it only says where the town is: "the positions of the
    Luhansk People's Militia in the area of Berezivske" happened in Berezivske; and in
    "Jarablus in Aleppo" the town named like Jarablus' province stands for the province."""
    towns = [p for p in places if p.place.precision != 3]

    def surrounds(region: Place) -> bool:
        return any(
            town.place.country == region.country and region.admin1 in (None, town.place.admin1)
            for town in towns
        )

    def names_province(mention: PlaceMention) -> bool:
        return any(
            town.end <= mention.start
            and town.place.admin1 == mention.place.location
            and _IN_PROVINCE.fullmatch(text[town.end : mention.start])
            for town in towns
        )

    return [
        p
        for p in places
        if not (p.place.precision == 3 and surrounds(p.place)) and not names_province(p)
    ]


def _without_qualifiers(places: list[PlaceMention], text: str) -> list[PlaceMention]:
    """A place in brackets right after another ("Panama City (Bella Vista)", "Puerto Natales
    (Los Lagos)") says where in or around it; the place before the bracket is the scene."""
    return [
        p
        for p in places
        if not any(
            other.end <= p.start and re.fullmatch(r"\s*\(\s*", text[other.end : p.start])
            for other in places
        )
    ]


def possible_scenes(
    places: list[PlaceMention], text: str, government_names: set[str], lex: Lexicons
) -> list[PlaceMention]:
    """The places of ``text`` that could be where something happened: not a speaker, a
    party, a venue, a unit, an origin or a dateline."""
    return [p for p in places if _may_be_scene(p, text, government_names, lex)]


def _listed(places: list[PlaceMention], text: str) -> list[PlaceMention]:
    """The first place and those listed with it, in the order given (either direction)."""
    chosen = places[:1]
    for place in places[1:]:
        first, second = sorted((chosen[-1], place), key=lambda p: p.start)
        if not _LIST_GAP.match(text[first.end : second.start]):
            break
        chosen.append(place)
    return chosen


def geo_precision(place: PlaceMention, sentence: str, lex: Lexicons) -> int:
    """1 for a town, 2 near it ("near Avdiivka", "outside Donetsk"), 3 for a region."""
    if place.place.precision == 1 and lex.built(_patterns)["near"].search(sentence[: place.start]):
        return 2
    return place.place.precision


def _may_be_scene(
    place: PlaceMention, text: str, government_names: set[str], lex: Lexicons
) -> bool:
    patterns = lex.built(_patterns)
    before, after = text[: place.start], text[place.end :]
    if patterns["origin"].search(before) or patterns["venue_before"].search(before):
        return False
    if patterns["venue"].match(after) or patterns["unit"].match(after):
        return False
    if _neighbourhood(place, before, after, lex):
        return False
    if patterns["speaking"].match(after) or _in_attribution(place, text, lex):
        return False
    dateline = patterns["dateline"].match(text)
    if dateline and place.end <= dateline.end():
        return False
    return not (
        place.text in government_names
        and (patterns["government"].match(after) or patterns["blamed"].search(before))
    )


def _neighbourhood(place: PlaceMention, before: str, after: str, lex: Lexicons) -> bool:
    """A neighbourhood of the town the report names ("in Colonia Vallejo", "in Bom Jardim
    neighborhood"): its name, whatever village elsewhere shares it, is no town of its own."""
    patterns = lex.built(_patterns)
    return bool(
        patterns["neighbourhood_word"].fullmatch(place.text)
        or patterns["neighbourhood_before"].search(before)
        or patterns["neighbourhood_after"].match(after)
    )


def _in_attribution(place: PlaceMention, text: str, lex: Lexicons) -> bool:
    """ "Three soldiers killed in east: Kiev" names the source after the last separator."""
    words = lex["places"]
    separators = list(re.finditer(words["attribution_separator"], text))
    if not separators or place.start < separators[-1].end():
        return False
    tail = text[separators[-1].end() :]
    return len(tail.split()) <= words["attribution_tail_words"] and not lex.built(_patterns)[
        "locative"
    ].search(tail[: place.start - separators[-1].end()])


def _patterns(lex: Lexicons) -> dict[str, re.Pattern[str]]:
    words, claims = lex["places"], lex["claims"]
    verbs = f"{claims['claim_verbs']}|{claims['denial_verbs']}"
    return {
        "near": re.compile(
            rf"\b(?:{words['near_before']})\s+(?:the\s+)?{_LISTED_BEFORE}$", re.IGNORECASE
        ),
        "origin": re.compile(rf"\b(?:{words['origin_before']})\s+(?:the\s+)?$", re.IGNORECASE),
        "venue_before": re.compile(rf"\b(?:{words['venue_before']})\s+(?:the\s+)?$", re.IGNORECASE),
        "venue": re.compile(rf"\s+(?:{words['venue_after']})\b", re.IGNORECASE),
        "unit": re.compile(rf"\s+(?:{words['unit_after']})\b", re.IGNORECASE),
        "neighbourhood_word": re.compile(words["neighbourhood_words"]),
        "neighbourhood_before": re.compile(
            rf"\b(?:{words['neighbourhood_words']})(?:\s+[\w'’-]+){{0,3}}?\s+$"
        ),
        "neighbourhood_after": re.compile(
            rf"(?:\s+[\w'’-]+){{0,3}}?\s+(?:{words['neighbourhood_after']})\b", re.IGNORECASE
        ),
        "dateline": re.compile(words["dateline"]),
        "speaking": re.compile(rf"\s+(?:{verbs})\b"),
        "government": re.compile(rf"(?:\s+)?(?:{words['government_after']})"),
        "blamed": re.compile(rf"\b(?:{words['government_before']})\s+$", re.IGNORECASE),
        "locative": re.compile(rf"\b(?:{words['locative']})\b", re.IGNORECASE),
    }
