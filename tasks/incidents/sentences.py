"""Split an article into paragraphs and sentences, keeping offsets into the original text.

Offsets are the evidence trail: every figure an incident carries points back to the exact
characters that stated it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.incidents.lexicons import lexicon

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=[A-Z\"'“‘])")
# A sentence ends at . ! ? (optionally closed by a quote) followed by space and a capital or
# quote, unless the word before the full stop is an abbreviation ("Oct. 3", "Gen. Smith", "U.S.").
_SENTENCE_END = re.compile(r"[.!?][\"'”’]?(?=\s+[\"'“‘(]?[A-Z])")
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Col|Lt|Sgt|Capt|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|"
    r"Sept|Oct|Nov|Dec))$"
)


@dataclass(frozen=True)
class Sentence:
    """A sentence with where it sits: paragraph index and character span in the article."""

    text: str
    start: int
    end: int
    paragraph: int


def split_sentences(text: str) -> list[Sentence]:
    """Every reportable sentence of ``text``; boilerplate lines (teasers, captions) are left out."""
    boilerplate = re.compile(lexicon("text")["boilerplate_lines"])
    sentences: list[Sentence] = []
    for number, (para_start, para_end) in enumerate(_paragraph_spans(text)):
        paragraph = text[para_start:para_end]
        if boilerplate.match(paragraph.strip()):
            continue
        for start, end in _sentence_spans(paragraph):
            sentences.append(Sentence(paragraph[start:end], para_start + start,
                                      para_start + end, number))
    return sentences


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for brk in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, brk.start()))
        start = brk.end()
    spans.append((start, len(text)))
    return [_strip_span(text, s, e) for s, e in spans if text[s:e].strip()]


def _sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for end in _SENTENCE_END.finditer(paragraph):
        if paragraph[end.start()] == "." and _ABBREVIATION.search(paragraph[start:end.start()]):
            continue
        spans.append((start, end.end()))
        start = end.end()
    spans.append((start, len(paragraph)))
    return [_strip_span(paragraph, s, e) for s, e in spans if paragraph[s:e].strip()]


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
