"""Casualty figures as reported: numbers in words or digits, with their qualifiers, as ranges.

"at least four" is a floor, "up to five" a ceiling, "dozens" ACLED's 12; ``None`` means the
sentence gave no figure and 0 that it said nobody was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tasks.incidents.lexicons import lexicon, word_pattern
from tasks.incidents.model import Casualties

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
NUMBER_WORDS = {word: value for value, word in enumerate(_UNITS)} | {
    word: 10 * (value + 2) for value, word in enumerate(_TENS)
}
_WORD_NUMBER = (
    rf"(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_UNITS[1:10])}))?"
    rf"|{'|'.join(sorted(_UNITS, key=len, reverse=True))}"
)
_DIGITS = r"\d{1,3}(?:,\d{3})+|\d+"
_PERSON_WORDS = r"(?:[A-Za-z'’-]+ ){0,3}?"


@dataclass(frozen=True)
class Figure:
    """One casualty figure found in a sentence, and whether the people were civilians."""

    kind: str  # killed | injured
    casualties: Casualties
    civilian: bool | None
    start: int
    end: int


def parse_number(phrase: str) -> int | None:
    """The value of "twenty-three", "1,200", "one hundred", "a"; None for anything else."""
    phrase = phrase.lower().strip()
    if re.fullmatch(_DIGITS, phrase):
        return int(phrase.replace(",", ""))
    if phrase in ("a", "an", "one"):
        return 1
    total = 0
    for part in re.split(r"[- ]+", phrase):
        if part in NUMBER_WORDS:
            total += NUMBER_WORDS[part]
        elif part == "hundred":
            total = max(total, 1) * 100
        elif part != "and":
            return None
    return total


def casualty_range(qualifier: str | None, amount: str) -> Casualties:
    """The range that ``qualifier`` (``at least``, ``up to``...) puts around ``amount``."""
    vague = lexicon("quantities")["vague_amounts"]
    if amount.lower() in vague:
        value = vague[amount.lower()]
        return Casualties(low=value, best=value)
    value = parse_number(amount)
    if value is None:
        return Casualties()
    side = lexicon("quantities")["qualifiers"].get((qualifier or "").lower())
    if side == "low":
        return Casualties(low=value, best=value)
    if side == "high":
        return Casualties(high=value)
    if side == "above":
        return Casualties(low=value + 1, best=value + 1)
    if side == "below":
        return Casualties(high=max(value - 1, 0))
    if side == "about":
        return Casualties(best=value)
    return Casualties(low=value, best=value, high=value)


def find_figures(sentence: str) -> list[Figure]:
    """Every killed/injured figure of ``sentence``, in order of appearance."""
    figures = [_figure(match) for pattern in _patterns() for match in pattern.finditer(sentence)]
    subset = word_pattern(lexicon("quantities")["subset_of"])
    figures = [
        f
        for f in figures
        if f.casualties != Casualties() and not subset.search(sentence, f.start, f.end)
    ]
    figures = _without_overlaps(sorted(figures, key=lambda f: (f.start, -f.end)))
    bounds = [0, *(f.end for f in figures)]
    return [
        listed
        for figure, bound in zip(figures, bounds, strict=False)
        for listed in _listed_before(sentence, figure, bound)
    ]


def total(figures: list[Figure], kind: str) -> Casualties:
    """Several figures of one kind in a sentence are separate groups of people: add them up."""
    chosen = [f.casualties for f in figures if f.kind == kind]
    if not chosen:
        return Casualties()
    return Casualties(
        *(_sum_or_none([getattr(c, end) for c in chosen]) for end in ("low", "best", "high"))
    )


def none_reported(sentence: str, kind: str) -> bool:
    """True when the sentence says nobody was killed (or injured): a figure of 0, not None."""
    return bool(word_pattern(lexicon("quantities")[f"none_{kind}"]).search(sentence))


def _sum_or_none(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    words = lexicon("quantities")
    qualifier = "|".join(sorted(map(re.escape, words["qualifiers"]), key=len, reverse=True))
    amount = "|".join(
        [
            *sorted(map(re.escape, words["vague_amounts"]), key=len, reverse=True),
            _DIGITS,
            _WORD_NUMBER,
            "an?",
        ]
    )
    number = rf"(?:(?P<qualifier>{qualifier}) )?(?P<amount>{amount})"
    kinds = rf"(?P<killed>{words['killed']})|(?P<injured>{words['injured']})"
    people = rf"{words['civilian_nouns']}|{words['combatant_nouns']}|people|persons"
    flags = re.IGNORECASE
    return (
        # "two soldiers were killed", "12 people killed, 46 wounded", "three dead"; not "two
        # wounded soldiers" (an attribute) nor "19 times killing" (a count of something else)
        re.compile(
            rf"(?<![\w,.-])(?<!\bno ){number} (?P<who>{_PERSON_WORDS})(?:(?:were|was|"
            rf"have been|has been|had been|are|is|reported|left|confirmed) )?"
            rf"(?!(?:killing|wounding|injuring)\b)(?:(?P<killed>{words['killed']})\b|"
            rf"(?P<injured>{words['injured']})\b(?! (?:[\w'’-]+ )?(?:{people})\b))",
            flags,
        ),
        # "killing one civilian", "wounding at least four others"
        re.compile(
            rf"\b(?:{kinds}) {number}(?P<who> (?:[A-Za-z'’-]+ ){{0,2}}?(?:"
            rf"{words['civilian_nouns']}|{words['combatant_nouns']}|others|people|"
            rf"persons))?(?![\w-])",
            flags,
        ),
        # "death toll rises to 28", "the death of three troops"
        re.compile(rf"\b(?P<killed>{words['death_toll']}|{words['death_of']}) {number}\b", flags),
        # "Ukrainian soldier killed", "a militiaman was wounded"
        re.compile(
            rf"(?<![\w-])(?P<who>{words['singular_nouns']})(?: (?:was|is|has been|had "
            rf"been|reported|confirmed))? (?:{kinds})\b",
            flags,
        ),
        # "shelling kills DPR militiaman", "killing a civilian", "death of militia fighter"
        re.compile(
            rf"\b(?:(?P<killed>{words['killed']}|{words['death_of']})|"
            rf"(?P<injured>{words['injured']})) (?:an? |one )?"
            rf"(?P<who>(?:[A-Z][\w'’-]* ){{0,2}}?(?:{words['singular_nouns']}))(?![\w-])",
            flags,
        ),
    )


def _figure(match: re.Match[str]) -> Figure:
    kind = "killed" if match.groupdict().get("killed") else "injured"
    amount = match.groupdict().get("amount") or "one"  # a singular noun is one person
    if amount.lower() in ("a", "an") and not (match.groupdict().get("who") or "").strip():
        return Figure(kind, Casualties(), None, match.start(), match.end())
    return Figure(
        kind,
        casualty_range(match.groupdict().get("qualifier"), amount),
        _civilian(match.groupdict().get("who") or ""),
        match.start(),
        match.end(),
    )


def _listed_before(sentence: str, figure: Figure, bound: int) -> list[Figure]:
    """ "Five troops, 19 civilians killed": groups listed before a figure share its verb.

    The list lies between the previous figure's end (``bound``) and this one.
    """
    listed = _list_pattern().search(sentence, bound, figure.start)
    if listed is None:
        return [figure]
    items = [
        Figure(
            figure.kind,
            casualty_range(item["qualifier"], item["amount"]),
            _civilian(item["who"]),
            listed.start() + item.start(),
            listed.start() + item.end(),
        )
        for item in _list_item_pattern().finditer(listed.group(0))
    ]
    return [*items, figure]


@cache
def _list_item_pattern() -> re.Pattern[str]:
    words = lexicon("quantities")
    qualifier = "|".join(sorted(map(re.escape, words["qualifiers"]), key=len, reverse=True))
    nouns = f"{words['civilian_nouns']}|{words['combatant_nouns']}|people|persons"
    return re.compile(
        rf"(?:(?P<qualifier>{qualifier}) )?(?P<amount>{_DIGITS}|{_WORD_NUMBER}) "
        rf"(?P<who>(?:[A-Za-z'’-]+ ){{0,2}}?(?:{nouns})),?(?: and)? ",
        re.IGNORECASE,
    )


@cache
def _list_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{_list_item_pattern().pattern})+$", re.IGNORECASE)


def _civilian(who: str) -> bool | None:
    words = lexicon("quantities")
    if word_pattern(words["combatant_nouns"]).search(who):
        return False
    if word_pattern(words["civilian_nouns"]).search(who):
        return True
    return None


def _without_overlaps(figures: list[Figure]) -> list[Figure]:
    kept: list[Figure] = []
    for figure in figures:
        if not any(figure.start < k.end and k.start < figure.end for k in kept):
            kept.append(figure)
    return kept
