import re

import pytest

from tasks.incidents.alternations import factor_alternations

from .conftest import LABELLED, LEX

TEXTS = [
    *(
        case["text"]
        for section in ("quantities", "dates", "incidents")
        for case in LABELLED[section]
    ),
    "KIA: 3. Kills, killings and a killer; |a| (b) [c] x-ray son of a soldier, sister's.",
]


def matches(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], dict]]:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


def test_words_that_share_their_first_letters_are_tried_once():
    assert factor_alternations("soldier|son|sister|defender") == "s(?:o(?:ldier|n)|ister)|defender"
    assert factor_alternations("(?:shot|stabbed) to death|slain") == (
        "s(?:hot to death|tabbed to death|lain)"
    )


@pytest.mark.parametrize(
    "source",
    [
        "a|an|another",
        "kil{1,3}ed|kills|kill|KIA|killing",  # a letter under a quantifier stays where it is
        "(?:dead )?bodies|body|(?:dead )??bod",  # an optional group spreads, a lazy one not
        r"[|a]b|ab|a\|c|\(a|b",  # | and ( in a class or escaped are characters
        r"(?P<who>son|sister)(?(who) x|s)|so",  # a conditional's | is no alternation
        "(?-i:kill(?:s)?)|killer|kills",  # nor is anything inside scoped flags
        r"(?:(?P<n>a|b) )c|a c",  # a group that captures is not repeated
        r"(?<!\bto )(?<!\bno )kill|(?<![\w-])(?:sist|son)er?s?",
        "x|",
    ],
)
def test_the_trie_matches_what_the_alternatives_match(source):
    written, trie = re.compile(source, re.I), re.compile(factor_alternations(source), re.I)
    for text in TEXTS:
        assert matches(trie, text) == matches(written, text)


def test_every_lexicon_pattern_finds_what_it_finds_as_written():
    sources = [value for table in ("quantities", "text") for value in LEX[table].values()]
    for source in (s for s in sources if isinstance(s, str)):
        written = re.compile(source, re.I)
        for text in TEXTS:
            assert matches(LEX.regex(source), text) == matches(written, text), source
