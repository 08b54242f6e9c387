"""Find the places a sentence names, offline: GeoNames towns and admin areas plus the project's
additions.

Only capitalised whole names match, so "Ganja" never matches inside "Sirajganj" and the verb
"reading" is no town; names match however they are accented ("Rafah" is GeoNames' "Rafaḩ").
Names that are also common words, alternate spellings, and small towns only match in countries
the article is about, named or implied ("Oaxaca" says Mexico). "Town, Province" is one place:
the province picks the town among namesakes, or stands for a village GeoNames lacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from config.settings import CONFIG_DIR
from tasks.incidents.gazetteer_cache import Row, TableStore, open_table
from tasks.incidents.gazetteer_names import (
    DISTRICT_WORDS,
    TRANSLIT_PREFIX,
    area_word,
    fold,
    translit,
)

GAZETTEER_FILE = CONFIG_DIR / "gazetteer.yaml"
KEY_MEMORY = 65_536
RUN_MEMORY = 16_384  # about a kilobyte each
# An article is read twice as a whole, then each sentence twice or more.
TEXT_MEMORY = 64
MAX_NAME_WORDS = 4
# Outside the article's countries a town must be this big to be meant by a bare name, or
# this big if no other country has a place of that name ("Debaltseve").
WORLD_KNOWN_POPULATION = 100_000
UNIQUE_NAME_POPULATION = 10_000
_AREA_SUFFIX = (
    r"(?: (?:[Rr]egion|[Oo]blast|[Pp]rovince|Obl\.?|[Gg]overnorate|[Dd]istrict|[Ss]tate|"
    r"[Cc]ounty|[Dd]epartment|[Mm]unicipality|[Pp]refecture|[Rr]aion|[Rr]ayon))?"
)
# A name may start with a lower-case Arabic article: "al-Hudaydah", "el Mina" (a space only
# after "al" and "el", which are no English words), and join words by lower-case articles and
# prepositions: "Tafi del Valle", "Sao Sebastiao da Boa Vista", "Khabb wa ash Shaaf".
_CAPITALISED_RUN = re.compile(
    r"(?<![\w-])(?:(?:al|el|ad|ar|as|ash|at|az|an)-|(?:al|el) )?[A-Z][\w'’.-]*"
    r"(?:[ -](?:[A-Z][\w'’-]*|of|al|el|de|la|ez|es|ar|ash|az|wa|"
    r"da|do|das|dos|del|los|las|di|du|des))*" + _AREA_SUFFIX + r"(?![\w-])"
)
_POSSESSIVE = re.compile(r"['’]s?$")
# The words a name is tried by: a hyphen joins words as a space does, but only the part
# before it may stand alone ("Mogadishu-Hodan" is a quarter of Mogadishu, "Zolote-1" a part of
# Zolote; "Zawiya" of "Jabal al-Zawiya" is no town). The whole is tried first.
_WORD = re.compile(r"[^\s-]+")
# "Town, Province", "Town (District, Province)": what may stand between a place and its area.
_QUALIFIER_GAP = re.compile(r"^\s*[,(]\s*$")
# "in eastern Ukraine": a country as the place of an event when no town or region is named.
_IN_COUNTRY = re.compile(
    r"\b(?:in|across|inside) (?:the )?(?:(?:rebel-held |government-held )?"
    r"(?:north|south|east|west|north-?east|south-?east|north-?west|"
    r"south-?west)(?:ern)? |[nsew]\. ?)?(?P<country>[A-Z][\w -]*[a-z])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Place:
    """A gazetteer entry; ``precision`` is geo_precision: 1 town, 3 region or admin area."""

    location: str
    admin1: str | None
    country: str  # ISO2
    latitude: float | None  # None for a country named as a whole
    longitude: float | None
    geonameid: int | None
    population: int
    precision: int
    primary: bool = True  # matched by its own name, not an alternate spelling
    admin2: str | None = None


@dataclass(frozen=True)
class PlaceMention:
    """A place as written in a sentence: where, and which entry it resolved to."""

    place: Place
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Name:
    """A name some place bears, with what of its meaning does not depend on the article."""

    text: str
    places: list[Place]
    common: bool  # also a common word: a place abroad is not meant by it
    unique: bool  # the places of that own name lie in one country


@dataclass(frozen=True)
class _Span:
    """Words of a capitalised run that are a name."""

    offset: int  # in the run
    size: int  # in words
    name: _Name


@dataclass(frozen=True)
class _Run:
    """What a capitalised run may name, worked out once per distinct run: runs recur within
    an article (read whole, then sentence by sentence) and from article to article."""

    names: tuple[tuple[_Span, ...], ...]  # for each word, the names starting there, longest first
    countries: frozenset[str]  # the countries it names or implies
    spans: tuple[str, ...]  # its runs of up to MAX_NAME_WORDS words, as ``_spans`` gives
    country_words: tuple[tuple[int, str], ...]  # (offset, word) of the words naming a country
    area: tuple[list[Place], bool] | None  # as a qualifier: the areas it means, and whether only


def _place(row: Row, alternate: bool = False) -> Place:
    location, admin1, admin2, country, latitude, longitude, geonameid, population, precision = row
    return Place(location, admin1, country, latitude, longitude, geonameid, population,
                 precision, not alternate, admin2)  # fmt: skip


class Gazetteer:
    """Name -> candidate places, with the country-context rules that pick one."""

    def __init__(self, table: TableStore) -> None:
        meta = table.meta
        self._table = table
        self._named: dict[str, list[Place]] = {}  # folded name -> places, as asked
        self._keys: dict[tuple[bool, str], str] = {}  # (translit?, name) -> its key, as asked
        self._runs: dict[str, _Run] = {}  # a capitalised run -> what it may name, as asked
        self._texts: dict[str, list[re.Match[str]]] = {}  # a text -> its capitalised runs
        self._areas: dict[str, int] = meta["areas"]  # "CC|admin1[|admin2]" -> row
        self._implied: dict[str, str] = meta["implied"]  # folded name -> the ISO2 it implies
        self.never_places = frozenset(meta["never_places"])  # "On", "Sept" are never towns
        self.region_provinces = {k: frozenset(v) for k, v in meta["regions"].items()}
        self.countries = {  # ISO2 -> the country as a place of last resort, with no point
            code: Place(name, None, code, None, None, None, 0, 3)
            for code, (name, _) in meta["countries"].items()
        }
        self.common_words = frozenset(meta["common_words"])  # folded
        self.country_names: dict[str, str] = meta["country_names"]  # any way of naming -> ISO2
        self.country_proper_names = {c.location for c in self.countries.values()}
        self._iso3 = {code: iso3 for code, (_, iso3) in meta["countries"].items()}
        # capitals and other ways of naming a country that may stand for its government
        self.government_names = frozenset(self.country_names) - self.country_proper_names

    def iso3(self, iso2: str) -> str | None:
        """ACLED and UCDP key countries by ISO 3166 alpha-3."""
        return self._iso3.get(iso2)

    def country_name(self, iso2: str) -> str:
        """The English short name, as ACLED writes it in actor names."""
        country = self.countries.get(iso2)
        return country.location if country else iso2

    def _fold(self, name: str) -> str:
        return self._key(False, name)

    def _translit(self, name: str) -> str:
        return self._key(True, name)

    def _key(self, transliterated: bool, name: str) -> str:
        """``fold`` or ``translit`` of a name, kept: the same names recur sentence after
        sentence."""
        return _kept(self._keys, (transliterated, name), _fold_or_translit)

    def _runs_in(self, text: str) -> list[re.Match[str]]:
        """The capitalised runs of ``text``, kept for the few texts last asked about: an
        article and each of its sentences are read more than once."""
        return _kept(self._texts, text, _capitalised_runs, TEXT_MEMORY)

    def _run(self, run: str) -> _Run:
        """What the capitalised run ``run`` may name, kept."""
        return _kept(self._runs, run, self._read_run, RUN_MEMORY)

    def _read_run(self, run: str) -> _Run:
        whole = _POSSESSIVE.sub("", run)
        spans = _spans(whole)
        return _Run(
            names=self._names_in(run),
            countries=self._countries_named(run, whole, spans),
            spans=tuple(spans),
            country_words=self._country_words(run),
            area=self._as_area(whole.rstrip(".")),
        )

    def _names_in(self, run: str) -> tuple[tuple[_Span, ...], ...]:
        """For each word of ``run``, the names of up to MAX_NAME_WORDS words starting there
        that some place bears, longest first; none after a hyphen ("Zawiya" of "Jabal
        al-Zawiya" is not a place of its own)."""
        words = list(_WORD.finditer(run))
        names = []
        for index, first in enumerate(words):
            found = []
            if run[first.start() - 1 : first.start()] != "-":
                for size in range(min(MAX_NAME_WORDS, len(words) - index), 0, -1):
                    last = words[index + size - 1]
                    text = _POSSESSIVE.sub("", run[first.start() : last.end()]).rstrip(".")
                    name = self._name(text)
                    if name is not None:
                        found.append(_Span(first.start(), size, name))
            names.append(tuple(found))
        return tuple(names)

    def _name(self, text: str) -> _Name | None:
        """``text`` as a name some place bears; None if none does, or it never names a town."""
        if text in self.country_proper_names or text.lower() in self.never_places:
            return None
        places = self._candidates(text)
        if not places:
            return None
        unique = len({p.country for p in places if p.primary}) == 1
        return _Name(text, places, self._fold(text) in self.common_words, unique)

    def _countries_named(self, run: str, whole: str, spans: list[str]) -> frozenset[str]:
        """The countries a run names by a word or as a whole (by name, demonym or capital),
        and those its names of admin1s and large towns imply."""
        named = [_POSSESSIVE.sub("", word) for word in run.split()] + [whole]
        found = {self.country_names[n] for n in named if n in self.country_names}
        for span in spans:
            key = self._fold(span)
            implied = self._implied.get(key) or self._implied.get(
                TRANSLIT_PREFIX + self._translit(key)
            )
            if implied:
                found.add(implied)
        return frozenset(found)

    def _country_words(self, run: str) -> tuple[tuple[int, str], ...]:
        """Where in ``run`` a word names a country, and the word."""
        found = []
        for word in re.finditer(r"[^\s]+", run):
            name = _POSSESSIVE.sub("", word.group(0)).rstrip(".:")
            if name in self.country_names:
                found.append((word.start(), name))
        return tuple(found)

    def _as_area(self, name: str) -> tuple[list[Place], bool] | None:
        """The admin areas ``name`` may mean after a place ("Town, Province"), and whether it
        names no town too; None if it names no area or is a common word."""
        candidates = self._candidates(name)
        areas = [p for p in candidates if p.precision == 3]
        if not areas or self._fold(name) in self.common_words:
            return None
        return areas, len(areas) == len(candidates)

    def candidates(self, name: str) -> list[Place]:
        """Every place ``name`` may mean, before context picks one."""
        key = name if name.startswith(TRANSLIT_PREFIX) else self._fold(name)
        return _kept(self._named, key, self._read_named)

    def _read_named(self, key: str) -> list[Place]:
        return [_place(row, alt) for row, alt in self._table.named(key)]

    def _translit_candidates(self, name: str) -> list[Place]:
        """The places a name's transliteration variants lead to, each as another spelling
        ("Tell Abiad" for "Tall Abyaḑ")."""
        return [
            replace(p, primary=False)
            for p in self.candidates(TRANSLIT_PREFIX + self._translit(name))
        ]

    def knows(self, name: str) -> bool:
        """Whether ``name`` is a place the gazetteer holds at all."""
        return bool(self._candidates(name))

    def countries_in(self, text: str) -> set[str]:
        """The countries an article is about: those it names (by name, demonym or capital),
        and those its admin1s and large towns imply; failing all of these, the one country
        most of its place names lie in."""
        found: set[str] = set()
        names: list[str] = []
        for match in self._runs_in(text):
            run = self._run(match.group(0))
            found |= run.countries
            names.extend(run.spans)
        return found or self._most_named_country(names)

    def _most_named_country(self, spans: list[str]) -> set[str]:
        """The country that more of the text's names (two at least) lie in than any other."""
        votes: dict[str, int] = {}
        for key in {self._fold(span) for span in spans} - self.common_words:
            if key.lower() in self.never_places:
                continue
            for country in {p.country for p in self.candidates(key) if p.primary}:
                votes[country] = votes.get(country, 0) + 1
        ranked = [*sorted(votes.values(), reverse=True), 0]
        if ranked[0] < 2 or ranked[0] == ranked[1]:
            return set()
        return {country for country, count in votes.items() if count == ranked[0]}

    def find(
        self,
        sentence: str,
        countries: set[str],
        provinces: frozenset[str] = frozenset(),
        steer: frozenset[str] = frozenset(),
    ) -> list[PlaceMention]:
        """Places named in ``sentence``, longest name first at each position; a town name
        several villages share is the one in ``provinces`` (admin1s the article names), and
        one several countries share the one in ``steer`` (countries of regions it names).
        A place followed by its area ("Town, Province") is one place."""
        runs = self._runs_in(sentence)
        context = (countries, provinces, steer)
        mentions: list[PlaceMention] = []
        index = 0
        while index < len(runs):
            found = self._in_run(runs[index], *context)
            qualifiers = self._qualifiers(sentence, runs, index)
            joined = self._qualified(sentence, runs, index, found, qualifiers, countries)
            if joined is None:
                mentions.extend(found)
                index += 1
                continue
            mentions.extend(m for m in found if m.end <= joined.start)
            mentions.append(joined)
            index += 1 + len(qualifiers)
        return self._consistent(mentions) or self._country_as_place(sentence)

    def _consistent(self, mentions: list[PlaceMention]) -> list[PlaceMention]:
        """Without towns matched only by another spelling that lie outside the regions the
        sentence names: "Karlovka" near "Donbas" is no village of Poltava once so called."""
        stated = set().union(*(self._provinces(m.place) for m in mentions))
        if not stated:
            return mentions
        return [m for m in mentions if m.place.primary or m.place.admin1 in stated]

    def _qualifiers(
        self, sentence: str, runs: list[re.Match[str]], index: int
    ) -> list[tuple[list[Place], bool]]:
        """The admin areas written right after run ``index``: ", Province" or
        " (District, Province)", each as the areas its name may mean and whether it names
        no town too ("Donetsk Obl", "Hajjah governorate"; not "Kandahar" of "Kabul, Kandahar",
        which may be a list)."""
        qualifiers: list[tuple[list[Place], bool]] = []
        for following in runs[index + 1 : index + 3]:
            gap = sentence[runs[index + len(qualifiers)].end() : following.start()]
            if not _QUALIFIER_GAP.match(gap) or (qualifiers and "(" in gap):
                break
            area = self._run(following.group(0)).area
            if area is None:
                break
            qualifiers.append(area)
        return qualifiers

    def _qualified(
        self,
        sentence: str,
        runs: list[re.Match[str]],
        index: int,
        found: list[PlaceMention],
        qualifiers: list[tuple[list[Place], bool]],
        countries: set[str],
    ) -> PlaceMention | None:
        """The one place "<name>, <area>[, <area>]" (run ``index`` and those after it) means:
        the namesake in that area, or, for a village GeoNames lacks, the most precise area;
        None when it is a list."""
        if not qualifiers:
            return None
        run = runs[index]
        last = found[-1] if found and found[-1].end == run.end() else None
        start = last.start if last else self._unknown_name_start(sentence, run, found)
        if start is None:
            return None
        end = runs[index + len(qualifiers)].end()
        text = sentence[start:end]
        areas = [a for a, _ in qualifiers]
        if last is not None:
            fitting = [p for p in self._candidates(last.text) if p.precision == 1 or _district(p)]
            town = self._best_fit(fitting, areas, countries)
            if town is not None:
                return PlaceMention(town, start, end, text)
            if not any(explicit for _, explicit in qualifiers):
                return None
        area = self._best_fit(areas[0], areas[1:], countries) or self._pick(
            areas[0], countries, frozenset(), frozenset()
        )
        return PlaceMention(area, start, end, text)

    def _best_fit(
        self, places: list[Place], qualifiers: list[list[Place]], countries: set[str]
    ) -> Place | None:
        """Among ``places``, one lying in the areas of most qualifiers (at least one)."""
        scored = [
            (sum(any(self._lies_in(p, a) for a in areas) for areas in qualifiers), p)
            for p in places
        ]
        best = max((score for score, _ in scored), default=0)
        if best == 0:
            return None
        fitting = [p for score, p in scored if score == best]
        return self._pick(fitting, countries, frozenset(), frozenset())

    def _lies_in(self, place: Place, area: Place) -> bool:
        if place.country != area.country:
            return False
        if area.admin2 is not None and place.admin2 != area.admin2:
            return False
        return place.admin1 in self._provinces(area) and place != area

    def _unknown_name_start(
        self, sentence: str, run: re.Match[str], found: list[PlaceMention]
    ) -> int | None:
        """Where an unknown name ends the run ("Hays" of "in Hays, Al Hudaydah"): the words
        after the run's last place and its function words, if none is a common word; a lone
        word opening the sentence may be any word, so it does not count."""
        offset = found[-1].end - run.start() if found else 0
        if run.group(0)[offset : offset + 1] == "-":
            return None  # the place found is the first part of a compound ("Zolote-5")
        words = list(re.finditer(r"[^\s]+", run.group(0)[offset:]))
        while words and words[0].group(0).lower() in self.never_places:
            words.pop(0)
        names = [w.group(0) for w in words]
        if not names or any(
            self._fold(n) in self.common_words or n in self.country_names for n in names
        ):
            return None
        start = run.start() + offset + words[0].start()
        if start == len(sentence) - len(sentence.lstrip()) and len(names) == 1:
            return None
        return start

    def _provinces(self, place: Place) -> frozenset[str]:
        if place.precision != 3:
            return frozenset()
        return self.region_provinces.get(place.location, frozenset({place.admin1} - {None}))

    def regions_in(self, text: str, countries: set[str]) -> list[Place]:
        """The regions and admin areas an article names ("Donetsk Obl", "in Donbas",
        "Sanaa governorate")."""
        return [m.place for m in self.find(text, countries) if m.place.precision == 3]

    def provinces_of(self, regions: list[Place]) -> frozenset[str]:
        """The admin1s those regions span."""
        return frozenset().union(*(self._provinces(region) for region in regions))

    def provinces_in(self, text: str, countries: set[str]) -> frozenset[str]:
        """The admin1s an article names as regions."""
        return self.provinces_of(self.regions_in(text, countries))

    def country_of(self, sentence: str, countries: set[str]) -> PlaceMention | None:
        """The country of an event whose sentence names no usable town or region.

        In order: a country the sentence names ("Ukraine fighting kills 45"), one it implies
        by a demonym or capital ("Ukrainian soldier killed", "...: Kiev"), and else the
        article's only country. A country named as such is the event's country at region-only
        precision; an analyst would code it no more precisely.
        """
        named = self._country_as_place(sentence)
        if named:
            return named[0]
        implied: list[PlaceMention] = []
        for run in self._runs_in(sentence):
            for offset, name in self._run(run.group(0)).country_words:
                start = run.start() + offset
                place = self.countries[self.country_names[name]]
                implied.append(PlaceMention(place, start, start + len(name), name))
        implied.sort(key=lambda m: m.text != m.place.location)  # a proper name first
        if implied:
            return implied[0]
        if len(countries) == 1:
            return PlaceMention(self.countries[next(iter(countries))], 0, 0, "")
        return None

    def _country_as_place(self, sentence: str) -> list[PlaceMention]:
        """ "Two soldiers killed in east Ukraine": the country, at region-only precision."""
        for match in _IN_COUNTRY.finditer(sentence):
            name = match["country"]
            while name and name not in self.country_names:
                name = name.rpartition(" ")[0]
            code = self.country_names.get(name)
            if code and name[:1].isupper() and name == self.country_name(code):
                start = match.start("country")
                return [PlaceMention(self.countries[code], start, start + len(name), name)]
        return []

    def _in_run(
        self,
        run: re.Match[str],
        countries: set[str],
        provinces: frozenset[str],
        steer: frozenset[str],
    ) -> list[PlaceMention]:
        names = self._run(run.group(0)).names
        found, index = [], 0
        while index < len(names):
            for span in names[index]:
                place = self._meant(span.name, countries, provinces, steer)
                if place is not None:
                    start, text = run.start() + span.offset, span.name.text
                    found.append(PlaceMention(place, start, start + len(text), text))
                    index += span.size
                    break
            else:
                index += 1
        return found

    def resolve(
        self,
        name: str,
        countries: set[str],
        provinces: frozenset[str] = frozenset(),
        steer: frozenset[str] = frozenset(),
    ) -> Place | None:
        """The entry ``name`` means here; the article's countries win over world population,
        and a town's own name over another town's alternate spelling ("Paris" is not the
        Ukrainian village once called that)."""
        named = self._name(name)
        return self._meant(named, countries, provinces, steer) if named else None

    def _meant(
        self, name: _Name, countries: set[str], provinces: frozenset[str], steer: frozenset[str]
    ) -> Place | None:
        """What ``name`` means in this context, if it may mean any of its places here."""
        allowed = [p for p in name.places if _allowed(name, p, countries)]
        return self._pick(allowed, countries, provinces, steer) if allowed else None

    @staticmethod
    def _pick(
        candidates: list[Place],
        countries: set[str],
        provinces: frozenset[str],
        steer: frozenset[str],
    ) -> Place:
        return max(
            candidates,
            key=lambda p: (
                p.country in countries and (p.primary or p.population >= WORLD_KNOWN_POPULATION),
                p.admin1 in provinces,
                p.country in steer,
                p.precision == 1,
                p.primary and p.population >= WORLD_KNOWN_POPULATION,
                p.country in countries,
                p.primary,
                p.population,
            ),
        )

    def _candidates(self, name: str) -> list[Place]:
        """The places ``name`` may mean; "<name> province" or "<name> district" is the area,
        or failing one of that name, the area of the town so named."""
        named = self.candidates(name)
        if not named and name not in self.country_names:
            named = self._translit_candidates(name)
        base, word = area_word(name)
        if named or word is None:
            return named
        level = 2 if word in DISTRICT_WORDS else 1
        areas = [p for p in self.candidates(base) if p.precision == 3]
        same_level = [p for p in areas if (p.admin2 is not None) == (level == 2)]
        if same_level or areas:
            return same_level or areas
        towns = [p for p in self.candidates(base) if p.precision == 1]
        return [area for town in towns if (area := self._area_of(town, level)) is not None]

    def _area_of(self, town: Place, level: int) -> Place | None:
        """The admin2 (``level`` 2) or admin1 a town lies in. A district named after a town,
        which the table does not hold as an admin2, is the town's own district, at the town:
        its usual seat ("Zabol county" is around Zabol, not all of its province)."""
        province = f"{town.country}|{town.admin1}"
        if level == 2:
            district = f"{province}|{town.admin2}"
            if town.admin2 and district in self._areas:
                return _place(self._table.row(self._areas[district]))
            return replace(town, precision=3, geonameid=None, admin2=town.location)
        if province in self._areas:
            return _place(self._table.row(self._areas[province]))
        return None


def _allowed(name: _Name, place: Place, countries: set[str]) -> bool:
    if place.country in countries:
        return True
    if name.common or not place.primary or _district(place):
        return False  # a district abroad is too obscure to be meant by a bare name
    needed = UNIQUE_NAME_POPULATION if name.unique else WORLD_KNOWN_POPULATION
    return place.population >= needed


def _district(place: Place) -> bool:
    return place.precision == 3 and place.admin2 is not None


def _spans(run: str) -> list[str]:
    """Each run of up to MAX_NAME_WORDS consecutive words of ``run``, without the full stops
    and possessives that end a word."""
    words = [_POSSESSIVE.sub("", word).rstrip(".") for word in run.split()]
    return [
        " ".join(words[i:j])
        for i in range(len(words))
        for j in range(i + 1, min(i + MAX_NAME_WORDS, len(words)) + 1)
    ]


def _capitalised_runs(text: str) -> list[re.Match[str]]:
    return list(_CAPITALISED_RUN.finditer(text))


def _fold_or_translit(key: tuple[bool, str]) -> str:
    transliterated, name = key
    return translit(name) if transliterated else fold(name)


_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


def _kept(memo: dict[_K, _V], key: _K, make: Callable[[_K], _V], limit: int = KEY_MEMORY) -> _V:
    """``make(key)``, kept in ``memo``; the memo is forgotten all at once past ``limit``
    entries, so memory stays bounded."""
    known = memo.get(key)
    if known is None:
        if len(memo) >= limit:
            memo.clear()
        known = memo[key] = make(key)
    return known


def load_gazetteer(path: Path = GAZETTEER_FILE) -> Gazetteer:
    """The gazetteer of a configuration, from its cached table (built on first use); open it
    once per process and pass it down."""
    return Gazetteer(open_table(path))
