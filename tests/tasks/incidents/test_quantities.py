import pytest

from tasks.incidents.model import Casualties
from tasks.incidents.quantities import find_figures, parse_number, total

from .conftest import LABELLED


@pytest.mark.parametrize("case", LABELLED["quantities"], ids=lambda c: c["text"])
def test_labelled_casualty_phrase_gives_its_range(case):
    figures = find_figures(case["text"])
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
    assert [f.civilian for f in find_figures(sentence)] == [True, False]
