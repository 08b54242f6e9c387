import pytest

from tasks.incidents.claims import attribute
from tasks.incidents.events import find_actors, find_triggers

from .conftest import LEX


def triggers(sentence):
    return [(t.sub_event_type, t.words) for t in find_triggers(sentence, LEX)]


def test_triggers_of_different_entries_may_overlap_and_come_in_lexicon_order():
    assert triggers("A suicide car bomb exploded near the market.") == [
        ("Suicide bomb", "suicide car bomb"),
        ("Remote explosive/landmine/IED", "car bomb"),
        ("Remote explosive/landmine/IED", "exploded"),
    ]


def test_an_entry_fires_at_each_of_its_places_left_to_right():
    assert triggers("Clashes, then more clashes.") == [
        ("Armed clash", "Clashes"),
        ("Armed clash", "clashes"),
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Rebels threatened to attack the town.",
        "Troops will soon shell the village.",
    ],
)
def test_a_trigger_after_a_threat_or_a_plan_is_unrealised(sentence):
    assert triggers(sentence) == []


def test_triggers_are_whole_words_a_hyphen_included():
    assert triggers("Police re-arrested him; the undetonated device lay there.") == []
    # "artillery shells" cannot end inside "shelling": the entry falls back to "artillery"
    assert triggers("ARTILLERY SHELLING HIT THE TOWN.") == [
        ("Shelling/artillery/missile attack", "ARTILLERY"),
        ("Shelling/artillery/missile attack", "SHELLING"),
        (None, "HIT"),
    ]


def test_a_case_sensitive_trigger_keeps_its_case():
    assert triggers("On 3 March, workers went home.") == []
    assert triggers("Workers held a march.") == [("Peaceful protest", "march")]


def test_letters_case_insensitive_matching_equates_with_ascii_ones_match():
    kelvin_sign = "\u212a"
    assert triggers(f"Gunmen attac{kelvin_sign}ed the post.") == [
        ("Armed clash", f"attac{kelvin_sign}ed")
    ]


def test_an_actor_phrase_is_taken_by_the_first_entry_that_matches_it():
    actors = find_actors("Armenian separatists and other separatists fought.", LEX)
    assert [(a.name, a.start, a.end) for a in actors] == [
        ("Military Forces of Armenia", 0, 20),
        ("Donetsk and Luhansk separatists", 31, 42),
    ]


def test_the_speaker_is_found_before_a_verb_in_any_case():
    claimed = attribute("The Azerbaijani Defence Ministry SAID rebels shelled Tartar.", LEX)
    assert claimed.claimed_by == "The Azerbaijani Defence Ministry"
    assert attribute("Baku DENIED it.", LEX).denied_by == "Baku"
