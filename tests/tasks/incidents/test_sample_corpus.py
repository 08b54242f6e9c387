"""The bundled sample corpus (samples/archive) through the extractor, as `make run` reads it.

Analysts look at its incidents first; every false one found there is pinned here. The
articles come from the project's own stages (archive reader, cleaning, dating), so the text
and publication times are exactly those the pipeline extracts from.
"""

from datetime import UTC, datetime

import pytest

from config.settings import PROJECT_DIR, Settings
from tasks.dedupe.urls import UrlRules
from tasks.fetching.archive import read_archive
from tasks.incidents.events import find_triggers
from tasks.incidents.extract import extract_incidents
from tasks.incidents.quantities import find_figures
from tasks.process import process_pages
from tasks.records import RawPage
from tests.tasks.incidents.conftest import LEX, READER

SAMPLES = PROJECT_DIR / "samples" / "archive"
CORPUS_COUNTRIES = {"AZE", "ARM", "UKR"}
SEED_URL = "https://www.aa-example.com/en/europe/armenian-forces-target-azerbaijans-ganja/1994061"


@pytest.fixture(scope="module")
def incidents_by_url():
    pages = [
        p
        for p in read_archive(SAMPLES, "sample", UrlRules.load(Settings().url_rules_file))
        if isinstance(p, RawPage)
    ]
    articles = process_pages(pages, {}, Settings(), now=datetime.now(UTC)).articles
    assert len(articles) == 30  # the corpus README's 30 good pages
    return {
        a.url: extract_incidents(a.body, a.published_at, reader=READER, source="sample")
        for a in articles
    }


def everything(incidents_by_url):
    return [i for found in incidents_by_url.values() for i in found]


def test_no_incident_is_placed_outside_the_countries_the_corpus_is_about(incidents_by_url):
    placed = {(i.location, i.country) for i in everything(incidents_by_url)}
    assert {p for p in placed if p[1] not in CORPUS_COUNTRIES} == set()


def test_unrelated_world_stories_give_no_incidents(incidents_by_url):
    world = [
        url
        for url in incidents_by_url
        if any(
            part in url
            for part in ("ecb-holds-rates", "astronauts-dock", "alpine-passes", "central-bank-cuts")
        )
    ]
    assert len(world) == 4
    assert all(incidents_by_url[url] == [] for url in world)


def test_seed_article_gives_exactly_its_seven_incidents(incidents_by_url):
    assert len(incidents_by_url[SEED_URL]) == 7


def test_mariupol_rocket_attack_kills_30_and_wounds_about_100(incidents_by_url):
    found = incidents_by_url[
        "https://www.ukrinform-example.com/rubric-ato/rocket-attack-on-mariupol-kills-30"
    ]
    [mariupol] = [i for i in found if i.location == "Mariupol"]
    assert mariupol.killed.best == 30 and mariupol.injured.low == 100
    assert mariupol.civilian_killed is True
    assert [i.location for i in found] == ["Mariupol"]  # its neighbourhood is no Russian town


def test_volnovakha_bus_attack_kills_12(incidents_by_url):
    found = incidents_by_url["https://donbas-example.com/news/volnovakha-bus-hit-at-checkpoint"]
    [bus] = [i for i in found if i.location == "Volnovakha"]
    assert bus.killed.best == 12 and bus.country == "UKR"


def test_a_toll_since_the_war_began_is_no_incident(incidents_by_url):
    sentences = [m.sentence for i in everything(incidents_by_url) for m in i.mentions]
    assert not [s for s in sentences if "since the fighting began" in s]


def test_shchastia_and_avdiivka_are_the_places_not_where_the_truce_was_agreed(incidents_by_url):
    found = incidents_by_url[
        "https://kyiv-example.com/war/positions-near-shchastia-and-avdiivka-shelled"
    ]
    first_sentence = [i for i in found if i.mentions[0].start == 0]
    assert [(i.location, i.geo_precision) for i in first_sentence] == [
        ("Shchastya", 2),
        ("Avdiyivka", 2),
    ]


def test_martuni_in_nagorno_karabakh_is_the_karabakh_town(incidents_by_url):
    found = incidents_by_url["https://www.afp-example.com/en/drones-strike-martuni-dozens-wounded"]
    martuni = [i for i in found if "Martuni" in i.location]
    assert martuni and {(i.location, i.country) for i in martuni} == {
        ("Martuni / Khojavend", "AZE")
    }


def test_every_evidence_sentence_names_an_event_or_a_casualty(incidents_by_url):
    evidence = {m.sentence for i in everything(incidents_by_url) for m in i.mentions}
    assert [s for s in evidence if not find_triggers(s, LEX) and not find_figures(s, LEX)] == []
