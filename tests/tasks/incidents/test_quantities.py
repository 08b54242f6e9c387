import pytest

from tasks.incidents.model import Casualties
from tasks.incidents.quantities import combine, find_figures, parse_number, total

from .conftest import LABELLED, LEX


@pytest.mark.parametrize("case", LABELLED["quantities"], ids=lambda c: c["text"])
def test_labelled_casualty_phrase_gives_its_range(case):
    figures = find_figures(case["text"], LEX)
    for kind in ("killed", "injured"):
        if kind in case:
            assert total(figures, kind) == Casualties(*case[kind])


@pytest.mark.parametrize(
    ("words", "value"),
    [("one", 1), ("twenty-three", 23), ("1,200", 1200), ("one hundred", 100), ("ninety nine", 99)],
)
def test_number_words_and_digits_parse(words, value):
    assert parse_number(words) == value


def test_civilian_victims_are_marked_and_soldiers_are_not():
    sentence = "two civilians were killed and three soldiers were wounded"
    assert [f.civilian for f in find_figures(sentence, LEX)] == [True, False]


def toll(*sentences, kind="killed"):
    """The toll of one incident told in these sentences, in order."""
    return combine([find_figures(sentence, LEX) for sentence in sentences], kind)


def test_a_count_restated_in_a_later_sentence_is_one_count():
    assert toll("Gunmen raided the farm, killing 2 civilians.", "2 fatalities.") == Casualties(
        2, 2, 2
    )


def test_an_updated_toll_replaces_the_first_count():
    assert toll("Three people were killed in the blast.", "The death toll rose to 10.") == (
        Casualties(10, 10, 10)
    )


@pytest.mark.parametrize(
    "later",
    [
        "Another three were killed in the afternoon.",
        "Three more people died in hospital.",
        "Police said the gunmen also killed three guards.",
        "A further three bodies were found nearby.",
        "In addition, three soldiers were killed.",
    ],
)
def test_people_marked_as_more_are_added_to_the_toll(later):
    assert toll("Two villagers were shot dead.", later) == Casualties(5, 5, 5)


def test_a_lone_ordinal_death_adds_one():
    first, later = "Three men were killed and six were injured.", "A fourth man died later."
    assert toll(first, later) == Casualties(4, 4, 4)
    assert toll(first, later, kind="injured") == Casualties(6, 6, 6)


def test_more_marked_people_then_a_total_in_one_sentence_is_the_total():
    later = "Another three were killed overnight, bringing the death toll to 5"
    assert toll("Two soldiers were killed.", later) == Casualties(5, 5, 5)


def test_groups_of_one_sentence_add_up_even_when_one_is_called_another():
    assert toll("Two men died and another three were injured.") == Casualties(2, 2, 2)
    assert toll("Two men were killed and another three died later.") == Casualties(5, 5, 5)


@pytest.mark.parametrize(
    "sentence",
    [
        "Six people were killed, including two children who died in hospital.",
        "Six people died; among them, two soldiers were killed in the first blast.",
        "Six people were killed and two of the dead were women.",
    ],
)
def test_a_share_of_those_counted_is_not_added(sentence):
    assert toll(sentence) == Casualties(6, 6, 6)


def test_killed_or_wounded_is_no_death_toll():
    assert toll("Seven militants were killed or wounded in the raid.") == Casualties()
    assert toll("Seven militants were killed or wounded.", "Two civilians died.") == Casualties(
        2, 2, 2
    )


def test_a_floor_and_an_exact_later_figure_keep_the_largest_of_each_end():
    assert toll("At least four people died.", "Five people were killed.") == Casualties(5, 5, 5)


def test_an_incident_without_figures_has_no_toll():
    assert toll("Protesters marched on the palace.", "Police fired tear gas.") == Casualties()
