"""Fingerprints of article bodies: a hash of their words and a MinHash of their word 5-shingles.

A fingerprint costs a tenth of a millisecond, so a million articles are fingerprinted in minutes
on one core: words are hashed once per batch (blake2b, stable across processes and versions),
shingles are mixed from word hashes with numpy, and every permutation is one multiplication of
the whole shingle vector (multiply-shift hashing; the minimum commutes with the final shift, so
only the 32-bit top of each minimum is kept). Signatures are 4 bytes a permutation.

Near-copies are found by LSH: the signature is cut into bands and each band hashed to one
64-bit key; two articles that share a key are candidates, checked with the estimated Jaccard.
The keys are what the warehouse stores and joins on, so no index has to live in memory.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import ftfy
import numpy as np
import pyarrow as pa

from config.settings import Settings
from tasks.text.charset import MOJIBAKE_HINT

# Names the hashing below; a stored signature of another scheme cannot be compared with ours.
SCHEME = "blake2b-words/mix64-shingles/multiply-shift-u32"
SHINGLE_WORDS = 5
SEED = 1
STORED_DTYPE = np.dtype("<u4")  # article_minhash.signature: uint32 little-endian values
DEFAULT_PERMUTATIONS: int = Settings.model_fields["minhash_permutations"].default
# LSH only proposes candidates; each is verified with the estimated Jaccard, so the bands are
# tuned to miss few true copies at the cost of more candidates to check.
LSH_WEIGHTS = (0.2, 0.8)
WORD = re.compile(r"\w+")
# ftfy changes the words of a text only through mojibake, HTML entities or control characters;
# bodies from ``clean`` are repaired already, and ftfy costs ~6 ms on a 400-word article.
ENTITY_OR_CONTROL = re.compile("&#?\\w+;|[\x00-\x08\x0b\x0e-\x1f\x7f]")
SHINGLE_MIX = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class Fingerprint:
    """What dedupe keeps of a body: its exact-text hash and its MinHash signature."""

    content_hash: str
    signature: bytes


@dataclass(frozen=True)
class Banding:
    """How signatures are cut for LSH: ``bands`` keys of ``rows`` values each."""

    bands: int
    rows: int

    @classmethod
    def for_threshold(cls, threshold: float, num_perm: int = DEFAULT_PERMUTATIONS) -> Banding:
        """The bands and rows with the least weighted false-positive and false-negative area
        around ``threshold`` (datasketch's choice, so candidates are found as before)."""
        similarity = np.linspace(0.0, 1.0, 2001)
        below, above = similarity <= threshold, similarity >= threshold
        best: tuple[float, int, int] = (np.inf, 1, 1)
        for bands in range(1, num_perm + 1):
            for rows in range(1, num_perm // bands + 1):
                found = 1.0 - (1.0 - similarity**rows) ** bands
                false_positive = np.trapezoid(found[below], similarity[below])
                false_negative = np.trapezoid(1.0 - found[above], similarity[above])
                error = LSH_WEIGHTS[0] * false_positive + LSH_WEIGHTS[1] * false_negative
                best = min(best, (float(error), bands, rows))
        return cls(best[1], best[2])


def body_words(body: str) -> list[str]:
    """The words two copies must share: mojibake repaired, case and punctuation ignored."""
    if ENTITY_OR_CONTROL.search(body) or (not body.isascii() and MOJIBAKE_HINT.search(body)):
        body = ftfy.fix_text(body)
    return WORD.findall(unicodedata.normalize("NFKC", body).casefold())


def content_hash(body: str) -> str:
    """SHA-256 of the body's words, so spacing, quotes and re-encoding do not make a new text."""
    return _words_hash(body_words(body))


def signature(body: str, num_perm: int = DEFAULT_PERMUTATIONS) -> bytes:
    """The MinHash of one body as stored bytes (``article_minhash.signature``)."""
    return fingerprints([body], num_perm)[0].signature


def fingerprints(bodies: Sequence[str], num_perm: int = DEFAULT_PERMUTATIONS) -> list[Fingerprint]:
    """Every body's fingerprint; each body is normalised and split into words once."""
    word_lists = [body_words(body) for body in bodies]
    values = signatures(word_lists, num_perm)
    return [
        Fingerprint(_words_hash(words), row.astype(STORED_DTYPE).tobytes())
        for words, row in zip(word_lists, values, strict=True)
    ]


def signatures(word_lists: Sequence[Sequence[str]], num_perm: int) -> np.ndarray:
    """MinHash values of each word list's 5-shingles, one row of ``num_perm`` uint32 each.

    A text shorter than five words is one shingle; a text of no words has the empty shingle.
    """
    hashes = _word_hashes(word_lists)
    shingles = _shingle_hashes(hashes)  # at every position; a text's own start at its first word
    multipliers = _multipliers(num_perm)
    rows = np.empty((len(word_lists), num_perm), dtype=np.uint32)
    start = 0
    for row, words in enumerate(word_lists):
        end = start + len(words)
        own = shingles[start : end - SHINGLE_WORDS + 1]
        if len(words) < SHINGLE_WORDS:
            own = _shingle_hashes(hashes[start:end], width=max(1, len(words)))
        rows[row] = np.multiply.outer(multipliers, own).min(axis=1) >> np.uint64(32)
        start = end
    return rows


def signature_values(stored: bytes) -> np.ndarray:
    """Stored bytes back to MinHash values."""
    return np.frombuffer(stored, dtype=STORED_DTYPE)


def estimated_jaccard(first: bytes, second: bytes) -> float:
    """Share of MinHash values two signatures agree on."""
    a, b = signature_values(first), signature_values(second)
    if len(a) != len(b):
        raise ValueError(f"signatures of {len(a)} and {len(b)} values cannot be compared")
    return float(np.count_nonzero(a == b)) / len(a)


def band_keys(values: np.ndarray, banding: Banding) -> np.ndarray:
    """One int64 key per band of each signature row (``article_bands.band_key``).

    The band's number is mixed in, so equal values in different bands never meet.
    """
    rows = np.atleast_2d(values).astype(np.uint64)
    used = rows[:, : banding.bands * banding.rows].reshape(len(rows), banding.bands, banding.rows)
    keys = np.broadcast_to(np.arange(1, banding.bands + 1, dtype=np.uint64), used.shape[:2])
    for column in range(banding.rows):
        keys = _mix64(keys * SHINGLE_MIX ^ used[:, :, column])
    return keys.view(np.int64)


def _word_hashes(word_lists: Sequence[Sequence[str]]) -> np.ndarray:
    """The hash of every word of every list, in order; each distinct word is hashed once."""
    words = pa.array(itertools.chain.from_iterable(word_lists), type=pa.string())
    encoded = words.dictionary_encode()
    distinct = [_word_hash(word) for word in encoded.dictionary.to_pylist()]
    return np.array(distinct, dtype=np.uint64)[encoded.indices.to_numpy(zero_copy_only=False)]


def _shingle_hashes(word_hashes: np.ndarray, width: int = SHINGLE_WORDS) -> np.ndarray:
    """One 64-bit hash per run of ``width`` consecutive words, order included."""
    if len(word_hashes) == 0:
        word_hashes = np.zeros(1, dtype=np.uint64)
    count = max(0, len(word_hashes) - width + 1)
    shingles = word_hashes[:count].copy()
    for offset in range(1, width):
        shingles = shingles * SHINGLE_MIX + word_hashes[offset : offset + count]
    return _mix64(shingles)


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _multipliers(num_perm: int) -> np.ndarray:
    """Odd 64-bit multipliers, one a permutation, the same for every process and run."""
    rng = np.random.default_rng(SEED)
    return rng.integers(0, np.iinfo(np.uint64).max, size=num_perm, dtype=np.uint64) | np.uint64(1)


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def _words_hash(words: Sequence[str]) -> str:
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()
