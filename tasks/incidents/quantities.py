"""Casualty figures as reported: numbers in words or digits, with their qualifiers, as ranges.

"at least four" is a floor, "up to five" a ceiling, "dozens" ACLED's 12; ``None`` means the
sentence gave no figure and 0 that it said nobody was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.incidents.lexicons import Lexicons
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
_NUMBER = rf"(?:{_DIGITS}|{_WORD_NUMBER})"
# who a number counts, before the verb: up to three words, not a second clause ("one ranger
# and injured another") nor a second number ("On 4 May 2020 two men...": 2020 counts no one)
_PERSON_WORDS = rf"(?:(?!and\b|(?:{_NUMBER})\b)[A-Za-z'’/-]+ ){{0,3}}?"
# "between 2 and 4", "2 to 4", "8-10"
_RANGE = re.compile(
    rf"between {_NUMBER} (?:and|to) {_NUMBER}|{_NUMBER} to {_NUMBER}|\d+ ?[-–] ?\d+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    """One casualty figure found in a sentence, and whether the people were civilians."""

    kind: str  # killed | injured
    casualties: Casualties
    civilian: bool | None
    start: int
    end: int
    # "another three", "a further four", "also killed two": people on top of those already
    # counted in earlier sentences, not a restatement of them
    additional: bool = False


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


def casualty_range(qualifier: str | None, amount: str, lex: Lexicons) -> Casualties:
    """The range that ``qualifier`` (``at least``, ``up to``...) puts around ``amount``.

    "between 2 and 4" and "8-10" are ranges of their own: the smaller number is the floor.
    """
    vague = lex["quantities"]["vague_amounts"]
    if amount.lower() in vague:
        value = vague[amount.lower()]
        return Casualties(low=value, best=value)
    if _RANGE.fullmatch(amount):
        low, high = (parse_number(n) for n in re.findall(rf"\b(?:{_NUMBER})\b", amount, re.I))
        if low is None or high is None or low > high:
            return Casualties()
        return Casualties(low=low, high=high)
    value = parse_number(amount)
    if value is None:
        return Casualties()
    side = lex["quantities"]["qualifiers"].get((qualifier or "").lower())
    if side in ("low", "about"):
        return Casualties(low=value, best=value)
    if side == "high":
        return Casualties(high=value)
    if side == "above":
        return Casualties(low=value + 1, best=value + 1)
    if side == "below":
        return Casualties(high=max(value - 1, 0))
    return Casualties(low=value, best=value, high=value)


def find_figures(sentence: str, lex: Lexicons) -> list[Figure]:
    """Every killed/injured figure of ``sentence``, in order of appearance.

    Where phrasings overlap, the one starting first (and longest) reads the clause; a figure
    that only restates part of the people already counted, or denies a death, is dropped.
    """
    if not lex.built(_casualty_word).search(sentence):
        return []  # every phrasing needs one of these words: skip the costly patterns
    figures = [
        _figure(sentence, match, lex)
        for pattern in lex.built(_patterns)
        for match in pattern.finditer(sentence)
    ]
    figures = [f for f in figures if f.casualties != Casualties()]
    figures = _without_overlaps(sorted(figures, key=lambda f: (f.start, -f.end)))
    figures = [f for f in figures if _counts_new_people(sentence, f, lex)]
    bounds = [0, *(f.end for f in figures)]
    return [
        listed
        for figure, bound in zip(figures, bounds, strict=False)
        for listed in _listed_before(sentence, figure, bound, lex)
    ]


def total(figures: list[Figure], kind: str) -> Casualties:
    """Several figures of one kind in a sentence are separate groups of people: add them up."""
    return _sum([f.casualties for f in figures if f.kind == kind])


def combine(sentence_figures: list[list[Figure]], kind: str) -> Casualties:
    """The toll of one incident from the figures of its sentences, in text order.

    Within a sentence the figures are separate groups and add up (``total``). A later sentence
    restates or updates the toll ("2 civilians killed ... 2 fatalities", "the toll rose to 10"),
    so the largest stands, unless it opens with people on top of those counted ("Another three
    were killed"): those are added, and the rest of that sentence restates the new toll.
    """
    toll = Casualties()
    for figures in sentence_figures:
        chosen = [f for f in figures if f.kind == kind]
        if not chosen:
            continue  # the sentence gives no figure of this kind: the toll stands
        if chosen[0].additional:
            more = total([f for f in chosen if f.additional], kind)
            toll = _plus(toll, more)
            chosen = [f for f in chosen if not f.additional]
        toll = _largest(toll, total(chosen, kind))
    return toll


def none_reported(sentence: str, kind: str, lex: Lexicons) -> bool:
    """True when the sentence says nobody was killed (or injured): a figure of 0, not None."""
    return bool(lex.built(_none_reported)[kind].search(sentence))


def _none_reported(lex: Lexicons) -> dict[str, re.Pattern[str]]:
    words = lex["quantities"]
    return {kind: lex.words(words[f"none_{kind}"]) for kind in ("killed", "injured")}


def _sum(figures: list[Casualties]) -> Casualties:
    """Separate groups: each end is the sum, unknown when any group leaves it unknown."""
    if not figures:
        return Casualties()
    return Casualties(
        *(_sum_or_none([getattr(c, end) for c in figures]) for end in ("low", "best", "high"))
    )


def _sum_or_none(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _plus(toll: Casualties, more: Casualties) -> Casualties:
    """``more`` people on top of ``toll``; with nothing counted yet they are the toll."""
    return more if toll == Casualties() else _sum([toll, more])


def _largest(first: Casualties, second: Casualties) -> Casualties:
    """Each end of the range at its largest reported value."""

    def top(end: str) -> int | None:
        values = [v for v in (getattr(first, end), getattr(second, end)) if v is not None]
        return max(values) if values else None

    return Casualties(top("low"), top("best"), top("high"))


def _phrases(lex: Lexicons) -> dict[str, str]:
    """The regular-expression pieces the patterns share, built from the lexicon."""
    words = lex["quantities"]
    qualifier = "|".join(sorted(map(re.escape, words["qualifiers"]), key=len, reverse=True))
    amount = "|".join(
        [
            _RANGE.pattern,
            *sorted(map(re.escape, words["vague_amounts"]), key=len, reverse=True),
            _NUMBER,
            words["ordinal_one"],
            "an?",
        ]
    )
    people = f"{words['civilian_nouns']}|{words['combatant_nouns']}|{words['other_nouns']}"
    determiner = r"(?:an? |one |the |his |her |their |its )"
    return {
        "qualifier": qualifier,
        "number": rf"(?:(?P<qualifier>{qualifier}) )?(?P<amount>{amount})",
        "people": people,
        "single": words["singular_nouns"],
        "determiner": determiner,
        # "a man and his brother": two people named one by one
        "pair": rf"(?P<pair> and {determiner}?(?:(?![\w'’-]*(?:ing|ed) )[\w'’-]+ ){{0,2}}?"
        rf"(?:{words['singular_nouns']})(?![\w-]))",
        "aux": r"(?:were|was|have been|has been|had been|are|is|being|got|reported|left|confirmed)",
        "adverbs": rf"(?: (?:{words['adverbs']}))*",
        # killed, not "killed or wounded", and not the active "gunmen killed three villagers"
        "killed": rf"(?P<killed>{words['killed']})(?![\w-])(?! {words['killed_or_injured']})"
        rf"(?! (?:{_NUMBER}|an?|the|his|her|their|its|him|them)\b)",
        "injured": rf"(?P<injured>{words['injured']})(?![\w-])",
        # not "to kill", "would kill"; after a \b, so that only word edges look back this far
        "realised": "".join(rf"(?<!\b{word} )" for word in words["unrealised_before"]),
    }


def _patterns(lex: Lexicons) -> tuple[re.Pattern[str], ...]:
    words, p = lex["quantities"], lex.built(_phrases)
    kill_verb = (
        rf"(?P<killed>{words['killed']}|{words['death_of']})(?! {words['killed_or_injured']})"
    )
    # who the number counts: up to three words ("Taliban militants"), or people named with
    # where they belong ("1 resident of Garin Goje", "2 members of the regime's Air Force")
    belonging = (
        rf"(?:[\w'’/-]+ ){{0,3}}?(?:{p['people']}) (?:of|from|in|belonging to) "
        r"(?:(?!(?:who|that|which|whom|and|after|when|while|were|was)\b)[\w'’/-]+ ){1,4}?"
    )
    attribute = r"(?<!\bthe )(?<!\ba )"  # "the wounded guard died": who, not a count
    aside = r"(?:\([^()]*\) |,? (?:including|among them) (?:[\w'’/-]+ ){0,4}?[\w'’/-]+,? )"
    return (
        # "two soldiers were killed", "12 people killed, 46 wounded", "three dead", "Thirteen
        # LNA soldiers were reportedly killed", "5 civilians (2 men, 3 women) were killed";
        # not "two wounded soldiers" (an attribute) nor "19 times killing" (a count of
        # something else)
        lex.regex(
            rf"(?<![\w,.-])(?<!\bno ){p['number']} (?P<who>{belonging}|{_PERSON_WORDS})"
            rf"{aside}?(?:{p['aux']} )?(?:(?:{words['adverbs']}) )*"
            rf"(?!(?:killing|wounding|injuring)\b)(?:{p['killed']}|{p['injured']}"
            rf"(?! (?:[\w'’-]+ )?(?:{p['people']})\b))"
        ),
        # "killing one civilian", "wounding at least four others", "killed 8-10 residents"
        lex.regex(
            rf"\b{p['realised']}(?:(?P<killed>{words['killed']})|(?P<injured>{words['injured']}))"
            rf" {p['number']}(?P<who> (?:[\w'’/-]+ ){{0,2}}?(?:{p['people']}))?(?![\w-])"
            rf"(?(who)|(?! (?!(?:{words['after_bare_number']})\b)[a-z]))"
        ),
        # "death toll rises to 28", "the death of three troops"
        lex.regex(rf"\b(?P<killed>{words['death_toll']}|{words['death_of']}) {p['number']}\b"),
        # "Ukrainian soldier killed", "a militiaman was wounded", "The victim, 18, died", "a man
        # and a woman were shot dead", "an old man's body was found"
        lex.regex(
            rf"(?<![\w-])(?:(?P<first>{p['single']}){p['pair']}|(?P<who>{p['single']}))"
            rf"(?:(?:’s|'s) (?:dead |lifeless |charred |beheaded )?(?P<body>body)|"
            rf"(?:, [^,]{{1,30}},)?(?: {p['aux']})?{p['adverbs']} "
            rf"(?:{p['killed']}|{p['injured']}))"
        ),
        # "shelling kills DPR militiaman", "killing a civilian", "the body of a man", "killed
        # the father and a son"
        lex.regex(
            rf"\b{p['realised']}(?:{kill_verb}|{attribute}(?P<injured>{words['injured']})) "
            rf"(?:{p['determiner']}(?P<who>(?:[\w'’-]+ ){{0,2}}?(?:{p['single']}))|"
            rf"(?P<named>(?:[A-Z][\w'’-]* ){{0,2}}?(?:{p['single']})))(?![\w-]){p['pair']}?"
        ),
        # "stabbed a journalist to death", "shot him dead", "beat two men to death"
        lex.regex(
            rf"\b(?:{words['to_death_verbs']}) (?:{p['number']} |{p['determiner']})?"
            rf"(?P<who>(?:[\w'’-]+ ){{0,3}}?(?:{p['single']}|{p['people']})){p['pair']}? "
            rf"(?P<killed>to death|dead)\b"
        ),
        # "A local party leader was beaten to death": a singular passive is one death
        lex.regex(
            rf"\b(?:was|has been|had been){p['adverbs']} (?P<killed>{words['killed_passive']})"
            rf"(?![\w-])(?! {words['killed_or_injured']})"
        ),
    )


def _casualty_word(lex: Lexicons) -> re.Pattern[str]:
    """A word without which no pattern of ``_patterns`` can match."""
    words = lex["quantities"]
    return lex.words(
        "|".join(
            words[key] for key in ("killed", "injured", "death_toll", "death_of", "killed_passive")
        )
        + "|body|bodies|dead|to death"
    )


def _figure(sentence: str, match: re.Match[str], lex: Lexicons) -> Figure:
    found = match.groupdict()
    kind = "killed" if found.get("killed") or found.get("body") else "injured"
    who = found.get("who") or found.get("named") or ""
    amount = found.get("amount") or ("two" if found.get("pair") else "one")
    if amount.lower() in ("a", "an") and not who.strip():
        return Figure(kind, Casualties(), None, match.start(), match.end())
    if lex.regex(lex["quantities"]["ordinal_one"]).fullmatch(amount):
        amount = "one"
    return Figure(
        kind,
        casualty_range(found.get("qualifier"), amount, lex),
        _civilian(" ".join(filter(None, (who, found.get("first"), found.get("pair")))), lex),
        match.start(),
        match.end(),
        _additional(sentence, match, lex),
    )


def _additional(sentence: str, match: re.Match[str], lex: Lexicons) -> bool:
    """ "another three", "three more were killed", "were also killed", "In addition, two...":
    the marker in the figure, right before it, or opening the sentence."""
    within, right_before, opening = lex.built(_additional_markers)
    before = sentence[: match.start()]
    return bool(
        within.search(match.group(0)) or right_before.search(before) or opening.match(before)
    )


def _additional_markers(lex: Lexicons) -> tuple[re.Pattern[str], ...]:
    marker = lex["quantities"]["additional"]
    return (
        lex.regex(rf"\b(?:{marker})\b(?! than)"),
        lex.regex(rf"\b(?:{marker}),? $"),
        lex.regex(rf"(?:{marker}),? "),
    )


def _counts_new_people(sentence: str, figure: Figure, lex: Lexicons) -> bool:
    """False for a share of people already counted ("including two children", "four of the
    dead were women") and for a denied death ("no police officer was killed")."""
    words = lex["quantities"]
    before = sentence[: figure.start]
    if lex.regex(words["subset_before"]).search(before.rstrip(" ,") + " "):
        return False
    if lex.regex(words["negated_before"]).search(before):
        return False
    share = lex.words(words["subset_of"]).search(sentence, figure.start)
    return share is None or share.start() >= figure.end


def _listed_before(sentence: str, figure: Figure, bound: int, lex: Lexicons) -> list[Figure]:
    """ "Five troops, 19 civilians killed": groups listed before a figure share its verb.

    The list lies between the previous figure's end (``bound``) and this one, which is itself
    a counted group (not "gunmen shot and killed a man": there the group before is who killed).
    """
    listed = lex.built(_list_pattern).search(sentence, bound, figure.start)
    if listed is None or not lex.built(_list_item_pattern).match(sentence, figure.start):
        return [figure]
    items = [
        Figure(
            figure.kind,
            casualty_range(item["qualifier"], item["amount"], lex),
            _civilian(item["who"], lex),
            listed.start() + item.start(),
            listed.start() + item.end(),
            figure.additional,
        )
        for item in lex.built(_list_item_pattern).finditer(listed.group(0))
    ]
    return [*items, figure]


def _list_item_pattern(lex: Lexicons) -> re.Pattern[str]:
    p = lex.built(_phrases)
    return re.compile(
        rf"(?:(?P<qualifier>{p['qualifier']}) )?(?P<amount>{_NUMBER}) "
        rf"(?P<who>(?:[\w'’/-]+ ){{0,2}}?(?:{p['people']})),?(?: and)? ",
        re.IGNORECASE,
    )


def _list_pattern(lex: Lexicons) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{lex.built(_list_item_pattern).pattern})+$", re.IGNORECASE)


def _civilian(who: str, lex: Lexicons) -> bool | None:
    words = lex["quantities"]
    if lex.words(words["combatant_nouns"]).search(who):
        return False
    if lex.words(words["civilian_nouns"]).search(who):
        return True
    return None


def _without_overlaps(figures: list[Figure]) -> list[Figure]:
    kept: list[Figure] = []
    for figure in figures:
        if not any(figure.start < k.end and k.start < figure.end for k in kept):
            kept.append(figure)
    return kept
