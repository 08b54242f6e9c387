import re
import string
import sys

import pytest

from tasks.incidents.folding import FoldedSearch, WordLists, fold, folded

from .conftest import LEX

EVERY = "".join(map(chr, range(sys.maxunicode + 1)))


def places(pattern, text, flags=0):
    return [m.start() for m in re.finditer(pattern, text, flags)]


def test_a_folded_character_is_a_letter_exactly_where_the_engine_takes_it_for_that_letter():
    folded_every = fold(EVERY, LEX)
    assert len(folded_every) == len(EVERY)
    for letter in string.ascii_lowercase:
        assert places(letter, folded_every) == places(letter, EVERY, re.IGNORECASE), letter


@pytest.mark.parametrize("escape", [r"\w", r"\s", r"\d"])
def test_folding_keeps_words_spaces_and_digits(escape):
    assert places(escape, fold(EVERY, LEX)) == places(escape, EVERY)


@pytest.mark.parametrize(
    "source",
    [
        "[a-z]s",  # a range
        r"\Sx",  # an escape holding a letter
        r"\x41",
        "(?P<name>x)",  # a name, a flag, an atomic group
        "(?i)x",
        "(?>x)",
        "x++",  # a possessive quantifier
        "(?-i:M)(?!x)",  # case-sensitive, and "more" would be refused
        "(?-i:[^a])",
        "café",
    ],
)
def test_syntax_folding_is_not_sure_about_is_left_alone(source):
    assert folded(source) is None


@pytest.mark.parametrize(
    "source", ["IEDs?|bomb(?:s|ed)?", "(?-i:march)|rall(?:y|ies)", "[sz]ed[- ]x", r"a\.b"]
)
def test_plain_syntax_folds_to_its_lowercase(source):
    assert folded(source) == source.lower()


SOURCES = [
    "car bombs?|suicide car bombs?",
    "(?-i:march(?:es)?)|marched",
    "bomb|bomb(?:ing)?",
    "x?",  # matches nothing, anywhere it may
    r"\w+ed",
    "(?<!petrol )bombs?",
    "b(?!a)[^a]",
    "(?:air|drone) ?strikes?|(?:helicopter )?gunships?|(ab|b)?ba",
]
TEXTS = [
    "",
    "A suicide car bomb, car bombs, BOMBING and bombing.",
    "On 3 March they marched; the MARCHES went on: march!",
    "petrol bomb and bombs, bOmB-x, Ba bz",
    "\u212aicked ſeized İşid ı \u00e9t\u00e9 - x",
    "Air strikes, drone strike, helicopter gunships, gunship, abba bba ba",
]


@pytest.mark.parametrize("text", TEXTS)
def test_word_lists_find_what_each_list_finds_alone(text):
    expected = [[m.span() for m in LEX.words(source).finditer(text)] for source in SOURCES]
    found = WordLists(SOURCES, LEX).matches(text)
    assert [[m.span() for m in matches] for matches in found] == expected


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("source", [*SOURCES, r"\b(?:will|not)\s+(?:\w+\s+)?$"])
def test_a_folded_search_finds_what_search_finds(source, text):
    for end in range(len(text) + 1):
        expected = LEX.regex(source).search(text, 0, end)
        found = FoldedSearch(source, LEX).search(text, end)
        assert (found and found.span()) == (expected and expected.span()), end
