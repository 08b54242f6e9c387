"""Lexicon patterns rewritten as tries, so that ``re`` tries fewer alternatives at each place.

``re`` tries the alternatives of ``a|b|c`` one after the other, and under IGNORECASE each try
costs a full step even when its first letter already rules it out. A lexicon entry lists
dozens of words ("soldier|defender|serviceman|..."), so every word of a sentence tried them
all. Grouped under their first letter ("s(?:oldier|erviceman)|defender") they cost one try
per letter, as in a trie.

For patterns compiled with IGNORECASE, as the lexicons' are: "K" and "k" are one letter. The
rewrite matches what the original matches, with the same groups. Alternatives that begin with
different letters never match at the same place (no character matches two letters), so only
the order among those that begin with the same letter matters, and it is kept. An alternative
that begins otherwise (a class, an escape, a group that cannot be spread, a letter under a
quantifier) may match where any other does: it stays where it is, and letters are grouped
only between two such alternatives.
"""

from __future__ import annotations

import re

# A group whose content is an alternation of its own: (, (?:, (?=, (?!, (?<=, (?<!, (?P<name>.
# Conditionals "(?(name)yes|no)", scoped flags "(?-i:...)" and the rest are left as written.
_GROUP = re.compile(r"\((?:\?(?::|=|!|<=|<!|P<\w+>)|(?!\?))")
_QUANTIFIERS = "?*+{"
_CAPTURING = re.compile(r"\((?:[^?]|\?P<)")


def factor_alternations(source: str) -> str:
    """``source``, a case-insensitive pattern, with the alternatives of every group grouped
    by their first letter."""
    return _grouped([_inside_groups(alternative) for alternative in _alternatives(source)])


def _alternatives(source: str) -> list[str]:
    """The top-level alternatives of ``source`` (its ``|`` outside groups and classes)."""
    parts, start, at = [], 0, 0
    while at < len(source):
        if source[at] == "|":
            parts.append(source[start:at])
            start = at + 1
            at += 1
        else:
            at = _atom_end(source, at)
    return [*parts, source[start:]]


def _atom_end(source: str, at: int) -> int:
    """Where the escape, class, group or character starting at ``at`` ends."""
    if source[at] == "\\":
        return at + 2
    if source[at] == "[":
        at += 2 if source.startswith("[^", at) else 1
        at += 1 if source.startswith("]", at) else 0  # a leading ] is a member
        while source[at] != "]":
            at += 2 if source[at] == "\\" else 1
        return at + 1
    if source[at] == "(":
        depth = 0
        while True:
            if source[at] == "(":
                depth += 1
            elif source[at] == ")":
                depth -= 1
                if depth == 0:
                    return at + 1
            at = _atom_end(source, at) if source[at] in "\\[" else at + 1
    return at + 1


def _inside_groups(alternative: str) -> str:
    """``alternative`` with the content of each of its groups factored."""
    pieces, at = [], 0
    while at < len(alternative):
        end = _atom_end(alternative, at)
        opening = _GROUP.match(alternative, at)
        if opening:
            inner = factor_alternations(alternative[opening.end() : end - 1])
            pieces.append(f"{opening.group(0)}{inner})")
        else:
            pieces.append(alternative[at:end])
        at = end
    return "".join(pieces)


def _grouped(alternatives: list[str]) -> str:
    """The alternatives joined, those of one run that share a first letter under it."""
    joined: list[str] = []
    run: dict[str, list[str]] = {}  # by first letter, in order of first appearance
    for alternative in [*_spread(alternatives), ""]:
        letter = _first_letter(alternative)
        if letter is not None:
            run.setdefault(letter, []).append(alternative[1:])
            continue
        for first, rests in run.items():
            joined.append(first + rests[0] if len(rests) == 1 else f"{first}(?:{_grouped(rests)})")
        run.clear()
        joined.append(alternative)
    return "|".join(joined[:-1])


def _spread(alternatives: list[str]) -> list[str]:
    """An alternative that begins with a group of words as one alternative per word, so that
    the trie takes them in: ``(?:shot|stabbed) to death`` as ``shot to death|stabbed to death``
    and ``(?:dead )?bodies`` as ``dead bodies|bodies``, the same tries in the same order. Only
    where each word begins with a letter and what follows the group, now repeated, captures
    nothing."""
    spread = []
    for alternative in alternatives:
        end = _atom_end(alternative, 0) if alternative.startswith("(?:") else 0
        words, rest = _alternatives(alternative[3 : end - 1]) if end else [], alternative[end:]
        if rest[:1] == "?" and rest[1:2] not in ("?", "+"):  # greedy: the words, then none
            words, rest = [*words, ""], rest[1:]
        if (
            words
            and all(_first_letter(word) for word in words if word)
            and not rest.startswith(tuple(_QUANTIFIERS))
            and not _CAPTURING.search(rest)
        ):
            spread.extend(word + rest for word in words)
        else:
            spread.append(alternative)
    return spread


def _first_letter(alternative: str) -> str | None:
    """The letter ``alternative`` begins with (in lower case), unless a quantifier follows it."""
    first, then = alternative[:1], alternative[1:2]
    if first.isascii() and first.isalpha() and not (then and then in _QUANTIFIERS):
        return first.lower()
    return None
