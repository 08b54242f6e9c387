from dataclasses import replace
from datetime import date, datetime

import numpy as np
import pytest

from tasks.incidents.event_model import EventTypeModel
from tasks.incidents.extract import extract_incidents
from tasks.incidents.model import EVENT_TYPES, Casualties

from .conftest import LABELLED, READER


def by_place(incidents, location, sub_event_type="Shelling/artillery/missile attack"):
    return [i for i in incidents if i.location == location and i.sub_event_type == sub_event_type]


@pytest.fixture(scope="module")
def seed_incidents(seed_article):
    text, published = seed_article
    return extract_incidents(text, published, reader=READER, timezone="Asia/Baku")


def test_seed_ganja_shelling_kills_one_civilian_and_wounds_at_least_four(seed_incidents):
    [ganja] = [i for i in by_place(seed_incidents, "Ganja") if i.claim_status == "claimed"]
    assert ganja.event_date == date(2020, 10, 4)
    assert ganja.killed == Casualties(1, 1, 1) and ganja.civilian_killed is True
    assert ganja.injured.low == 4
    assert ganja.claimed_by == "Azerbaijan's Defence Ministry"
    assert ganja.actor1 == "Military Forces of Armenia"


def test_seed_four_towns_shelled_each_its_own_incident_without_fatalities(seed_incidents):
    for town in ("Tartar", "Fuzuli", "Jabrayil", "Horadiz"):
        [incident] = by_place(seed_incidents, town)
        assert incident.latitude is not None and incident.geonameid is not None
        assert incident.killed == Casualties()


def test_seed_jabrayil_liberated_is_government_regaining_territory(seed_incidents):
    [regained] = by_place(seed_incidents, "Jabrayil", "Government regains territory")
    assert regained.event_type == "Battles"
    assert regained.event_date == date(2020, 10, 4)
    assert regained.date_basis == "Later on Sunday"
    assert "Aliyev" in regained.claimed_by


def test_seed_airbase_claim_is_disputed_by_baku(seed_incidents):
    [airbase] = [i for i in by_place(seed_incidents, "Ganja") if i.claim_status == "disputed"]
    assert airbase.claimed_by.startswith("Armenian soldiers")
    assert airbase.denied_by == "Baku"


def test_seed_yields_nothing_else(seed_incidents):
    assert len(seed_incidents) == 7
    assert all(i.sub_event_type in EVENT_TYPES[i.event_type] for i in seed_incidents)


def test_mentions_point_at_the_sentences_that_report_them(seed_article, seed_incidents):
    text, _ = seed_article
    for incident in seed_incidents:
        for mention in incident.mentions:
            assert text[mention.start : mention.end] == mention.sentence


@pytest.mark.parametrize("case", LABELLED["incidents"], ids=lambda c: c["text"][:40])
def test_labelled_text_yields_its_incidents(case):
    found = extract_incidents(case["text"], case["published"], reader=READER)
    assert len(found) == len(case["expect"])
    for incident, expected in zip(found, case["expect"], strict=True):
        for name, value in expected.items():
            actual = getattr(incident, name)
            assert (
                list(vars(actual).values()) if name in ("killed", "injured") else actual
            ) == value, name


def test_extraction_is_deterministic(seed_article):
    text, published = seed_article
    assert extract_incidents(text, published, reader=READER) == extract_incidents(
        text, published, reader=READER
    )


def test_undated_sentence_takes_the_paragraphs_running_date():
    text = "On Saturday, rebels attacked Horlivka. Artillery also hit Avdiivka, Ukraine said."
    found = extract_incidents(text, datetime(2017, 3, 5, 9), reader=READER)
    assert [i.event_date for i in found] == [date(2017, 3, 4)] * 2


def test_sentence_without_an_event_word_is_never_evidence():
    text = (
        "Dozens of Ukrainian soldiers were killed in the final days of the battle. "
        'Its defenders are known in Ukraine as "cyborgs".'
    )
    [incident] = extract_incidents(text, datetime(2015, 1, 22, 9), reader=READER)
    assert [m.sentence for m in incident.mentions] == [text.split(". ")[0] + "."]


def test_two_reports_the_model_types_alike_are_one_incident_with_both_sentences():
    text = (
        "Protesters blocked a road in Kharkiv on Monday. "
        "Police arrested two activists in Kharkiv on Monday."
    )
    reader = replace(READER, model=always("Battles", "Armed clash"), min_probability=0.5)
    [incident] = extract_incidents(text, datetime(2015, 2, 24, 9), reader=reader)
    assert (incident.event_type, incident.type_basis) == ("Battles", "model")
    assert [m.sentence for m in incident.mentions] == [
        "Protesters blocked a road in Kharkiv on Monday.",
        "Police arrested two activists in Kharkiv on Monday.",
    ]


def always(event_type: str, sub_event_type: str) -> EventTypeModel:
    """A model that knows no words and is sure of one type whatever it reads."""
    labels = [(event_type, sub_event_type), ("Protests", "Peaceful protest")]
    return EventTypeModel(
        labels=labels,
        vocabulary=[],
        idf=np.zeros(0),
        text_weights=np.zeros((0, 2)),
        hint_vocabulary=[],
        hint_weights=np.zeros((0, 2)),
        intercepts=np.array([10.0, 0.0]),
    )


def test_a_denier_who_goes_on_to_claim_is_named_alone_not_with_the_words_between():
    text = (
        "Azerbaijan denied targeting the hospital and said Armenian forces had fired on the "
        "Azerbaijani town of Barda earlier in the day."
    )
    [incident] = extract_incidents(text, datetime(2020, 10, 28, 9), reader=READER)
    assert incident.claimed_by == "Azerbaijan"
