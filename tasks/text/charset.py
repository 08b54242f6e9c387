"""Bytes to text for HTML pages whose declared encoding cannot be trusted.

Sites lie about encodings in both directions: CMS templates say utf-8 over windows-1251 bodies,
and servers default to ISO-8859-1 for pages that are really UTF-8. A wrong guess silently turns
every place name into mojibake, which breaks gazetteer matching later, so each declaration is
checked against the bytes before it is believed.
"""

from __future__ import annotations

import codecs
import re
from email.message import Message

import ftfy
from charset_normalizer import from_bytes

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Browsers (WHATWG) read these labels as windows-1252, which is a superset of latin-1.
LATIN_LABELS = {
    "iso-8859-1",
    "latin-1",
    "latin1",
    "iso8859-1",
    "us-ascii",
    "ascii",
    "cp1252",
    "windows-1252",
    "l1",
}
# A <meta> that says UTF-16 was readable as ASCII, so it cannot be true: the HTML standard's
# prescan reads these labels as UTF-8. Only a BOM or the HTTP header can make a page UTF-16.
META_OVERRIDES = {"utf-16": "utf-8", "utf-16-le": "utf-8", "utf-16-be": "utf-8"}
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.I)
META_SCAN_BYTES = 4096
# What UTF-8 read as cp1252/latin-1 (Ã©, â€™) or as cp1251 (Рџ, СЂ) looks like: a lead letter
# followed by a continuation-byte character. Cheap to search, unlike ftfy's full badness test.
MOJIBAKE_HINT = re.compile(
    "[\u00c2\u00c3\u00c5\u00ce\u00cf\u00d0\u00d1\u00d8\u00d9\u00e0\u00e2]"
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|[\u0420\u0421][\u0400-\u040f\u0450-\u045f\u2018-\u201e\u2020-\u2022\u2116]"
)
# Only the mojibake repairs: leave quotes, entities and widths exactly as the page wrote them.
MOJIBAKE_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


def decode_html(body: bytes, content_type: str | None) -> str:
    """Decode with the first declaration the bytes agree with, else with detection."""
    for bom, encoding in BOMS:
        if body.startswith(bom):
            return _repair_mojibake(body.decode(encoding, errors="replace"))
    declared = _http_charset(content_type) or _meta_charset(body)
    return _repair_mojibake(_decode_declared(body, declared))


def _decode_declared(body: bytes, declared: str | None) -> str:
    if declared in LATIN_LABELS:
        # A latin-1 label over valid multibyte UTF-8 is a server default, not the page's truth.
        as_utf8 = _strict(body, "utf-8")
        if as_utf8 is not None and not body.isascii():
            return as_utf8
        return body.decode("cp1252", errors="replace")
    text = _strict(body, declared or "utf-8")
    return text if text is not None else _detected(body)


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _detected(body: bytes) -> str:
    best = from_bytes(body).best()
    if best is None:
        return body.decode("cp1252", errors="replace")
    return str(best)


def _http_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return _normalised_label(charset) if isinstance(charset, str) else None


def _meta_charset(body: bytes) -> str | None:
    match = META_CHARSET.search(body[:META_SCAN_BYTES])
    label = _normalised_label(match.group(1).decode("ascii")) if match else None
    return META_OVERRIDES.get(label, label) if label else None


def _normalised_label(label: str) -> str | None:
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "cp1252" if label in LATIN_LABELS or name in LATIN_LABELS else name


def _repair_mojibake(text: str) -> str:
    """ftfy only where mojibake is likely: its badness test over a whole page costs ~30 ms."""
    if MOJIBAKE_HINT.search(text) and ftfy.is_bad(text):
        return ftfy.fix_text(text, MOJIBAKE_ONLY)
    return text
