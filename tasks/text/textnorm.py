"""One text shape for every extracted body, so shingles, hashes and offsets agree across runs.

Paragraphs are kept as blank-line breaks because sentence splitting and quote attribution work
per paragraph; everything else that is whitespace becomes one space.
"""

from __future__ import annotations

import re
import unicodedata

INLINE_SPACE = re.compile(r"[^\S\n]+")
LINE_BREAKS = re.compile(r"\s*\n\s*")
WORD = re.compile(r"\w+")


def normalize_text(text: str) -> str:
    """NFC, single spaces inside paragraphs, exactly one blank line between paragraphs."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "").replace("\u200b", "")
    paragraphs = (INLINE_SPACE.sub(" ", line).strip() for line in LINE_BREAKS.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def word_count(text: str) -> int:
    """Words as the quality floors and the min-body check count them (``\\w+`` runs)."""
    return len(WORD.findall(text))
