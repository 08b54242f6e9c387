"""Split an article into paragraphs and sentences, keeping offsets into the original text.

Offsets are the evidence trail: every figure an incident carries points back to the exact
characters that stated it.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from tasks.incidents.lexicons import Lexicons

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=[A-Z\"'“‘])")
# A sentence ends at . ! ? (optionally closed by a quote) followed by space and a capital, a
# digit ("... died. 3 fatalities.") or a quote, unless the word before the full stop is an
# abbreviation ("Oct. 3", "Gen. Smith", "U.S.") or an initial ("John F. Kennedy").
_SENTENCE_END = re.compile(r"[.!?][\"'”’]?(?=\s+[\"'“‘(]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|St|Gen|Col|Lt|Sgt|Capt|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|"
    r"Dec)$|(?:\b[A-Z]\.)+[A-Z]$"
)
# A one-letter capital after a capitalised name is an initial, unless an ordinary sentence
# opener follows it ("...in Sector B. The shelling...").
_INITIAL = re.compile(r"\b[A-Z][\w'’-]+\s+[A-Z]$")
_OPENER = re.compile(r"\s*[\"'“‘(]?(\w+)")  # the word after a full stop
_SHOUTED_SHARE = 0.7  # of letters upper-case: an ALL-CAPS headline or wire flash
_ASCII_UPPER, _ASCII_LOWER = string.ascii_uppercase.encode(), string.ascii_lowercase.encode()


@dataclass(frozen=True)
class Sentence:
    """A sentence with where it sits: paragraph index and character span in the article."""

    text: str
    start: int
    end: int
    paragraph: int


def split_sentences(text: str, lex: Lexicons) -> list[Sentence]:
    """Every reportable sentence of ``text``; boilerplate lines (teasers, captions) are left out."""
    boilerplate = lex.regex(lex["text"]["boilerplate_lines"])
    sentences: list[Sentence] = []
    for number, (para_start, para_end) in enumerate(_paragraph_spans(text)):
        paragraph = text[para_start:para_end]
        if boilerplate.match(paragraph.strip()):
            continue
        for start, end in _sentence_spans(paragraph, lex):
            sentences.append(
                Sentence(paragraph[start:end], para_start + start, para_start + end, number)
            )
    return sentences


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for brk in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, brk.start()))
        start = brk.end()
    spans.append((start, len(text)))
    return [_strip_span(text, s, e) for s, e in spans if text[s:e].strip()]


def readable_case(text: str, lex: Lexicons) -> str:
    """An ALL-CAPS text in headline case: function words lower-case, other words capitalised.

    Names are recognised by their capitals; a shouted headline has nothing but capitals. The
    result has the same length, so offsets into it are offsets into the original.
    """
    upper, lower = _cased_letters(text)
    if upper <= _SHOUTED_SHARE * (upper + lower):
        return text
    function_words = set(lex["text"]["function_words"])

    def recased(word: re.Match[str]) -> str:
        lowered = word.group(0).lower()
        if lowered in function_words and word.start() > 0:
            return lowered
        return word.group(0)[0] + lowered[1:]

    readable = re.sub(r"\b\w[\w'’]*", recased, text)
    return readable if len(readable) == len(text) else text


def _cased_letters(text: str) -> tuple[int, int]:
    """How many letters of ``text`` are upper-case and how many lower-case: for ASCII text
    (nearly all) counted by ``bytes.translate``, far faster than asking each character."""
    if not text.isascii():
        return sum(map(str.isupper, text)), sum(map(str.islower, text))
    raw = text.encode("ascii")
    return (
        len(raw) - len(raw.translate(None, _ASCII_UPPER)),
        len(raw) - len(raw.translate(None, _ASCII_LOWER)),
    )


def _sentence_spans(paragraph: str, lex: Lexicons) -> list[tuple[int, int]]:
    spans, start = [], 0
    for end in _SENTENCE_END.finditer(paragraph):
        if paragraph[end.start()] == "." and _abbreviated(
            paragraph[start : end.start()], paragraph[end.end() :], lex
        ):
            continue
        spans.append((start, end.end()))
        start = end.end()
    spans.append((start, len(paragraph)))
    return [_strip_span(paragraph, s, e) for s, e in spans if paragraph[s:e].strip()]


def _abbreviated(before: str, after: str, lex: Lexicons) -> bool:
    """Whether the full stop between ``before`` and ``after`` closes an abbreviation."""
    if _ABBREVIATION.search(before):
        return True
    opener = _OPENER.match(after)
    next_word = opener.group(1).lower() if opener else ""
    return next_word not in lex["text"]["function_words"] and bool(_INITIAL.search(before))


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
