"""How place names are compared: one folded key for every way of writing a name.

Reporters write "Rafah", "Sanaa", "al-Hudaydah" where GeoNames has "Rafaḩ", "Şan‘ā’" and
"Al Ḩudaydah"; both sides are folded to the same key, so a name matches however it is
accented. Case is kept (apart from Arabic articles), because only capitalised words are names.
A looser key, ``translit``, also forgets what transliterations of one Arabic name disagree on.
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not split into a base letter and a mark.
_LETTERS = str.maketrans(
    {"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss",
     "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ħ": "h", "Ħ": "H", "ð": "d", "þ": "th"}
)  # fmt: skip
_MARKS = re.compile(r"['’‘ʿʾʼʻ`´]")
_SEPARATORS = re.compile(r"[\s‐‑–—-]+")
# "Al Hudaydah", "al-Hudaydah", "Ad Dali'": the article is written either way.
_ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ed", "es", "et"})
# Words that say a name is an administrative area, not a town: "Sanaa governorate".
PROVINCE_WORDS = frozenset(
    {"region", "oblast", "obl", "province", "governorate", "state", "prefecture", "territory"}
)
DISTRICT_WORDS = frozenset(
    {"district", "county", "raion", "rayon", "municipality", "department", "division"}
)
_AREA_WORD = re.compile(
    rf" (?P<word>{'|'.join(sorted(PROVINCE_WORDS | DISTRICT_WORDS))})\.?$", re.IGNORECASE
)
# How GeoNames spells area names in the local language: "Muhafazat al Hudaydah".
_AREA_AFFIXES = re.compile(
    r"^(?:Muhafazat|Wilayat|Provincia de(?:l| la)?|Departamento de(?:l)?|Estado de|"
    r"Province of|Region of|Province du|Province de(?: la)?|Region de(?: la)?) "
    r"|(?: Governorate| Province| Region| Oblast| District| Department| State| County)$"
)


def fold(name: str) -> str:
    """The key names are compared by: no accents or apostrophes, hyphens as spaces,
    Arabic articles in lower case; otherwise as written."""
    plain = name
    if not name.isascii():
        decomposed = unicodedata.normalize("NFKD", name.translate(_LETTERS))
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _SEPARATORS.split(_MARKS.sub("", plain).strip())
    return " ".join(w.lower() if w.lower() in _ARTICLES else w for w in words if w)


# Transliterations of one name differ in their short vowels ("Idleb"/"Idlib", "Tell"/"Tall",
# "Abiad"/"Abyad"), o/u ("Douma"/"Duma"), doubled letters ("Hassakeh") and a final h after a
# vowel ("Hasakeh"/"Hasaka"); the article may be left out ("Shadadah"/"Ash Shaddadah").
_VOWEL_CLASSES = str.maketrans("aeiyou", "aaaauu")
_REPEATS = re.compile(r"(.)\1+")
_FINAL_H = re.compile(r"(?<=[au])h$")
TRANSLIT_PREFIX = "~"  # marks a translit key among the folded names of one index


def translit(name: str) -> str:
    """The key transliteration variants of a name share: ``fold`` with every article as
    "al" and none leading, short vowels as one, o and u as one, no doubled letters and no
    final h after a vowel; capitals as written, so "OPS" stays an acronym."""
    words = ["al" if w in _ARTICLES else w for w in fold(name).split()]
    if len(words) > 1 and words[0] == "al":
        words = words[1:]
    return " ".join(
        w[0] + _FINAL_H.sub("", _REPEATS.sub(r"\1", w[1:].translate(_VOWEL_CLASSES))) for w in words
    )


def area_word(name: str) -> tuple[str, str | None]:
    """("Sanaa", "governorate") for "Sanaa governorate"; (name, None) without such a word."""
    match = _AREA_WORD.search(name)
    if match is None:
        return name, None
    return name[: match.start()], match["word"].lower().rstrip(".")


def area_names(name: str) -> set[str]:
    """The keys an administrative area is known by: its name with and without the local
    word for "governorate" or "province"."""
    return {fold(name), fold(_AREA_AFFIXES.sub("", name))} - {""}
