"""Case-insensitive lexicon patterns, found without scanning the text case-insensitively.

Python's ``re`` tries every alternative of a case-insensitive pattern at every word: for the
trigger lists that was a sixth of extraction. A lowercase pattern on lowercased text is several
times faster (the engine skips an alternative on its first letter), but it is not the same
pattern: a case-sensitive part ("(?-i:march)", the verb, not the month) matches more there. So
the folded text only tells *where* a pattern may match, and the pattern itself, case-insensitive
on the text as written, decides there: what is found is exactly what the pattern alone finds.
"""

from __future__ import annotations

import itertools
import re
import string
import sys
from collections.abc import Iterable, Sequence

from tasks.incidents.lexicons import Lexicons

# The pattern syntax folding is sure about, a token at a time. Lowercasing such a pattern
# changes only its literal letters: no escape but \w \s \d \b holds a letter, no class a range
# ([0-_] holds the capitals), no group is a flag, a name or atomic.
_TOKEN = re.compile(
    r"""
      \\[wsdb] | \\[^0-9A-Za-z]                                         # an escape
    | \[ (?!\^?\]) \^? -? (?: [^\\\]-] | \\[wsd] | \\[^0-9A-Za-z] )* -? \]  # a class
    | \( (?!\?) | \(\? (?: : | = | ! | <= | <! | -i: )                  # a group, a lookaround
    | [^\\\[(]                                                          # a literal, an operator
    """,
    re.VERBOSE,
)
_SYNTAX = re.compile(rf"(?:{_TOKEN.pattern})*", re.VERBOSE)


def fold(text: str, lex: Lexicons) -> str:
    """``text`` with each letter that case-insensitive matching takes for an ASCII letter
    ("D", the Kelvin sign "K", the dotless "ı") replaced by that letter in lowercase; nothing
    else changes, so positions in the folded text are positions in ``text``."""
    return text.lower() if text.isascii() else text.translate(lex.built(_folding))


def folded(source: str) -> str | None:
    """``source`` to match case-sensitively on folded text, finding at least what ``source``
    finds case-insensitively on the text: ``source`` lowercased, None if that is not sure.

    A lowered letter matches a folded character exactly where the letter matches the original
    character; only a case-sensitive group matches more ("march" in "March"). The engine finds
    any match there is, so more in places is more overall, except where "more" is refused: in a
    negative lookaround or class ("[^a]" takes "A" only as written), or where a possessive
    quantifier gives nothing back.
    """
    tokens = _tokens(source)
    if tokens is None:
        return None
    possessive = any(a in "*+?}" and b == "+" for a, b in itertools.pairwise(tokens))
    negative = any(token in ("(?!", "(?<!") or token.startswith("[^") for token in tokens)
    if possessive or ("(?-i:" in tokens and negative):
        return None
    return source.lower()


class FoldedSearch:
    """``lex.regex(source).search``, the places it may match found in the folded text."""

    def __init__(self, source: str, lex: Lexicons) -> None:
        self._lex = lex
        self._pattern = lex.regex(source)
        lowered = folded(source)
        self._folded = None if lowered is None else re.compile(lowered)

    def search(self, text: str, endpos: int | None = None) -> re.Match[str] | None:
        """The first match in ``text[:endpos]``, as ``search`` finds it."""
        end = len(text) if endpos is None else endpos
        if self._folded is None:
            return self._pattern.search(text, 0, end)
        text_folded = fold(text, self._lex)
        position = 0
        while (may := self._folded.search(text_folded, position, end)) is not None:
            match = self._pattern.match(text, may.start(), end)
            if match is not None:
                return match
            position = may.start() + 1
        return None


class WordLists:
    """Several ``Lexicons.words`` lists matched together.

    ``matches(text)`` gives, list by list, exactly the matches of ``words(source).finditer``.
    One scan of the folded text finds the word starts where some list may match, and which;
    each list's own pattern is tried there only. A list that does not fold is scanned alone.
    """

    def __init__(self, sources: Sequence[str], lex: Lexicons) -> None:
        self._lex = lex
        self._patterns = [lex.words(source) for source in sources]
        lowered = {k: low for k, s in enumerate(sources) if (low := folded(s)) is not None}
        self._folded = list(lowered)
        self._alone = [k for k in range(len(sources)) if k not in lowered]
        word = r"(?![\w-])"
        each = "".join(f"(?=(?P<list{k}>(?:{low}){word})?)" for k, low in lowered.items())
        # where any list may match, then each list on its own: its group is set where it may
        self._starts = re.compile(rf"(?<![\w-])(?={_by_opening(lowered.values(), word)}){each}")

    def matches(self, text: str) -> list[list[re.Match[str]]]:
        found: list[list[re.Match[str]]] = [[] for _ in self._patterns]
        for k in self._alone:
            found[k] = list(self._patterns[k].finditer(text))
        starts: dict[int, list[int]] = {}
        for start in self._starts.finditer(fold(text, self._lex)) if self._folded else ():
            for k, may in zip(self._folded, start.groupdict().values(), strict=True):
                if may is not None:
                    starts.setdefault(k, []).append(start.start())
        for k, positions in starts.items():
            found[k] = _matches_at(self._patterns[k], text, positions)
        return found


def _matches_at(pattern: re.Pattern[str], text: str, positions: list[int]) -> list[re.Match[str]]:
    """``pattern.finditer(text)`` tried at ``positions`` only, every place it may match: from
    the end of each match to the next such place."""
    found: list[re.Match[str]] = []
    end = 0
    for position in positions:
        if position < end:
            continue
        match = pattern.match(text, position)
        if match is None:
            continue
        if match.end() == position:  # empty: finditer tries for a longer one here too
            return list(pattern.finditer(text))
        found.append(match)
        end = match.end()
    return found


def _by_opening(sources: Iterable[str], suffix: str) -> str:
    """One alternation of every alternative of the folded ``sources`` followed by ``suffix``,
    those that open with the same letter grouped: the engine moves the letter out of the group
    and skips the whole group on it, where it tries an ungrouped alternative one by one."""
    groups: dict[str, list[str]] = {}
    for source in sources:
        for alternative in _alternatives(_TOKEN.findall(source)):
            for spread in _spread(alternative):
                groups.setdefault(_opening(spread), []).append("".join(spread) + suffix)
    return "|".join(f"(?:{'|'.join(group)})" for group in groups.values())


def _tokens(source: str) -> list[str] | None:
    """``source`` as ``_TOKEN`` tokens, None if it uses syntax beyond them."""
    if not source.isascii() or _SYNTAX.fullmatch(source) is None:
        return None
    return _TOKEN.findall(source)


def _alternatives(tokens: list[str]) -> list[list[str]]:
    """A pattern's top-level alternatives: "a|b(?:c|d)" -> "a", "b(?:c|d)"."""
    alternatives: list[list[str]] = [[]]
    depth = 0
    for token in tokens:
        if token == "|" and depth == 0:
            alternatives.append([])
            continue
        depth += token.startswith("(") - (token == ")")
        alternatives[-1].append(token)
    return alternatives


def _spread(alternative: list[str]) -> list[list[str]]:
    """``alternative`` as alternatives that find the same, opening with a letter where a group
    opened it: "(?:air|drone) strikes" -> "air strikes", "drone strikes"; an optional group
    gives one with it and one without ("(?:helicopter )?gunships"). A case-sensitive group is
    spread too: in the folded scan every group is case-sensitive."""
    if not alternative or alternative[0] not in ("(", "(?:", "(?-i:"):
        return [alternative]
    depths = itertools.accumulate(t.startswith("(") - (t == ")") for t in alternative)
    close = next(k for k, depth in enumerate(depths) if depth == 0)  # the group's ")"
    inner, rest = _alternatives(alternative[1:close]), alternative[close + 1 :]
    if rest[:1] == ["?"]:  # optional, lazily or not
        rest = rest[2:] if rest[1:2] == ["?"] else rest[1:]
        inner.append([])
    elif rest and rest[0] in ("*", "+", "{"):
        return [alternative]
    return [spread for each in inner for spread in _spread(each + rest)]


def _opening(alternative: list[str]) -> str:
    """The letter or digit every match of ``alternative`` opens with, "" if none is sure."""
    first, *rest = alternative or [""]
    optional = rest and rest[0] in ("?", "*", "{")
    return first if first.isalnum() and not optional else ""


def _folding(_: Lexicons) -> dict[int, str]:
    """``fold``'s table, asked of the engine: every character each ASCII letter matches (the
    same for all lexicons, kept on each as nothing is kept in the module)."""
    letters = string.ascii_lowercase
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    matched = set(re.findall("|".join(letters), every, re.IGNORECASE)) - set(letters)
    return {
        ord(char): next(letter for letter in letters if re.fullmatch(letter, char, re.IGNORECASE))
        for char in matched
    }
