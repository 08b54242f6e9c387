"""A learned ACLED event type for a piece of evidence text, with its probability.

The trigger lexicon types a sentence by its first strong trigger word; it cannot weigh the
rest of the sentence (riots vs protests, an attack on civilians vs an armed clash). This model
reads the whole text, word and character n-grams, plus the sub-event type the rules picked
(``rule_hint``), and gives a probability per ACLED sub-event type, so the caller can keep the
rule's type where the model is unsure and say which one decided.

It is a multinomial logistic regression trained by ``bench/train_types.py`` (scikit-learn) and
shipped as plain arrays in ``config/models/event_types.npz``; prediction here is numpy only
(a sparse dot product and a softmax), so loading executes no stored code and does not depend
on the scikit-learn version. Training and prediction share ``features`` and ``hint_of``
below, so they cannot drift apart.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType

import numpy as np

from config.settings import CONFIG_DIR
from tasks.incidents.events import Trigger, find_triggers
from tasks.incidents.lexicons import Lexicons
from tasks.incidents.model import EVENT_TYPES

MODEL_FILE = CONFIG_DIR / "models" / "event_types.npz"
FORMAT = "newsdesk-event-types/1"
CHAR_SIZES = (3, 4, 5)
WORD_MEMORY = 1 << 16

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# Month names are matched capitalised only: "may" is also a verb.
_DATE = re.compile(
    rf"\b(?:(?i:on or around|on|around|between|from|since|as of|by|in)\s+)?"
    rf"(?:(?:\d{{1,2}}|early|mid|late)(?:\s*(?:-|–|and|to)\s*\d{{1,2}})?[\s-]+)?"
    rf"(?:{_MONTHS})\b\.?(?:\s+\d{{4}})?(?:\s*\((?:[^)]*)\))?,?"
    rf"|\b(?:(?i:on|last|this)\s+)?(?:{_WEEKDAYS})\b,?"
)
# What every month and weekday name starts with: a date names one, so no date starts after the
# last of these. A plain alternation of capitals, which the regex engine scans for quickly.
_NAME_STARTS = re.compile(
    "|".join(sorted({name[:3] for name in f"{_MONTHS}|{_WEEKDAYS}".split("|")}))
)
_BRACKETED = re.compile(r"\[[^\]]*\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# How ACLED coders account for figures ("Fatalities coded as 10", "1 fatality."): a note
# convention no reporter writes, so it must not teach the model anything.
_CODER_SENTENCE = re.compile(
    r"\bcoded\b|\b(?:split|spread|distributed|divided)\s+(?:up\s+)?(?:between|among|across)\b"
    r"|^\W*(?:\d+|one|no|several|unknown|unclear)?\s*fatalit(?:y|ies)\W*$",
    re.IGNORECASE,
)
# Words every coder sentence has, lower-cased: ASCII text without any has no coder sentence
# (on ASCII, IGNORECASE is plain lower-casing), so no sentence of it need be searched.
_CODER_WORDS = ("coded", "split", "spread", "distributed", "divided", "fatalit")
_TOKEN = re.compile(r"[^\W\d_]+|\d+")
# Every ASCII character that is neither a lower-case letter nor 0 (see _words).
_ASCII_SEPARATORS = str.maketrans(
    {chr(c): " " for c in range(128) if not chr(c).islower() and chr(c) != "0"}
)
_DIGITS = re.compile(r"\d+")


_SUB_EVENT_TYPES = [sub for subs in EVENT_TYPES.values() for sub in subs]
_KnownWord = tuple["array[int]", Mapping[str, int]]
_NO_BIGRAMS: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True)
class TypePrediction:
    """The model's type for a text.

    ``probability`` is the model's probability of ``event_type`` (summed over its sub-event
    types); ``sub_event_probability`` that of ``sub_event_type``, which always belongs to
    ``event_type``, so it is never larger.
    """

    event_type: str
    sub_event_type: str
    probability: float
    sub_event_probability: float


def rule_hint(text: str, lex: Lexicons) -> str | None:
    """The sub-event type of the first strong trigger the lexicon finds, the model's rule input.

    Training computes the hint of each note with this very function, so the model learns how
    far to trust the lexicon as it stands; after the lexicon changes, ``make train`` again.
    """
    return hint_of(find_triggers(text, lex))


def hint_of(triggers: Sequence[Trigger]) -> str | None:
    """``rule_hint`` of the text ``triggers`` were found in (extraction has them already): the
    sub-event type of the strong trigger of highest lexicon priority, the earliest among equals.
    """
    strong = [t for t in triggers if t.strong and t.sub_event_type]
    first = min(strong, key=lambda t: t.priority, default=None)
    return first.sub_event_type if first else None


def normalise(text: str) -> str:
    """The text without what only ACLED notes carry: dates, ``[size=...]`` tags, coder notes.

    Dates say when, never what kind of event; left in, "On 9 May 2020," would be in every note
    and in no news sentence. Digits become 0: "12 killed" and "3 killed" read alike.
    """
    text = _without_coder_sentences(_BRACKETED.sub(" ", text))
    return _DIGITS.sub("0", _undated(text)).lower()


def _without_coder_sentences(text: str) -> str:
    """The text less its sentences that match ``_CODER_SENTENCE``; the rest joined by a space.

    Searching each sentence is slow and few texts have one, so a text is split only if it has
    one of ``_CODER_WORDS``, or is not ASCII.
    """
    lowered = text.lower()
    if text.isascii() and not any(word in lowered for word in _CODER_WORDS):
        return text
    return " ".join(s for s in _SENTENCE_END.split(text) if not _CODER_SENTENCE.search(s))


def _undated(text: str) -> str:
    """``_DATE.sub(" ", text)``, without scanning the text past its last month or weekday name
    for dates: most notes name theirs first, and the date pattern is slow to try everywhere."""
    kept = []
    end = 0  # of the last date found
    for name in _NAME_STARTS.finditer(text):
        if name.start() < end:
            continue  # within the date found
        date = _DATE.search(text, end)  # starts at this name at the latest
        if date is None:
            break
        kept += (text[end : date.start()], " ")
        end = date.end()
    kept.append(text[end:])
    return "".join(kept)


def features(text: str) -> list[str]:
    """Word unigrams and bigrams, and character 3-5-grams within words, of the normalised text.

    Character n-grams carry inflections the training notes never showed ("shelled", "shelling",
    "shellings"); words and bigrams carry phrases ("opened fire", "sit in").
    """
    words = _words(normalise(text))
    grams = _bigrams(words)
    for word in words:
        grams += word_features(word)
    return grams


def _words(normalised: str) -> list[str]:
    """``_TOKEN.findall(normalised)``. On ASCII (nearly every text) its words are the runs of
    a-z and the 0s (``normalise`` leaves no other digit, no capital), so splitting the text at
    everything else finds them, several times faster."""
    if normalised.isascii():
        return normalised.replace("0", " 0 ").translate(_ASCII_SEPARATORS).split()
    return _TOKEN.findall(normalised)


def _bigrams(words: list[str]) -> list[str]:
    return [f"b:{a} {b}" for a, b in pairwise(words)]


def word_features(word: str) -> list[str]:
    """A word's own features: the word, and its character n-grams padded at both ends."""
    padded = f" {word} "
    grams = [f"w:{word}"]
    for size in CHAR_SIZES:
        grams += [f"c:{padded[i : i + size]}" for i in range(max(1, len(padded) - size + 1))]
    return grams


def hint_features(hint: str | None) -> list[str]:
    """The rule's sub-event type and its event type as two indicator features."""
    if hint is None:
        return ["rule:none"]
    event_type = next((t for t, subs in EVENT_TYPES.items() if hint in subs), "unknown")
    return [f"rule:{hint}", f"rule-type:{event_type}"]


class EventTypeModel:
    """Linear scores per (event type, sub-event type) label over TF-IDF text features + hints.

    ``text_weights[j]`` are the label scores of text feature ``j``; the text vector is
    sublinear TF-IDF, L2-normalised; each hint feature present adds its row of
    ``hint_weights`` (training's hint value is already multiplied in).
    """

    def __init__(
        self,
        labels: Sequence[tuple[str, str]],
        vocabulary: Sequence[str],
        idf: np.ndarray,
        text_weights: np.ndarray,
        hint_vocabulary: Sequence[str],
        hint_weights: np.ndarray,
        intercepts: np.ndarray,
    ) -> None:
        self.labels = [tuple(label) for label in labels]
        self.vocabulary = list(vocabulary)
        self.hint_vocabulary = list(hint_vocabulary)
        self._index = {feature: j for j, feature in enumerate(self.vocabulary)}
        self._bigram_index = _by_first_word(self._index)
        self._words: dict[str, _KnownWord] = {}  # as met, see _known
        self._hint_index = {feature: j for j, feature in enumerate(self.hint_vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)
        self.text_weights = np.asarray(text_weights, dtype=np.float32)
        self.hint_weights = np.asarray(hint_weights, dtype=np.float32)
        self.intercepts = np.asarray(intercepts, dtype=np.float32)
        self._event_types = sorted({event_type for event_type, _ in self.labels})
        self._hint_rows = {hint: self._rows_of(hint) for hint in (None, *_SUB_EVENT_TYPES)}
        self._label_type = np.array([self._event_types.index(t) for t, _ in self.labels])

    @classmethod
    def load(cls, path: Path | None = None) -> EventTypeModel:
        """The shipped model, or the one at ``path``; arrays only, no pickle."""
        with np.load(path or MODEL_FILE, allow_pickle=False) as stored:
            meta = json.loads(bytes(stored["meta"]).decode("utf-8"))
            if meta.get("format") != FORMAT:
                raise ValueError(f"{path or MODEL_FILE} is not a {FORMAT} model file")
            return cls(
                labels=meta["labels"],
                vocabulary=bytes(stored["vocabulary"]).decode("utf-8").split("\n"),
                idf=stored["idf"],
                text_weights=stored["text_weights"],
                hint_vocabulary=meta["hint_vocabulary"],
                hint_weights=stored["hint_weights"],
                intercepts=stored["intercepts"],
            )

    def save(self, path: Path) -> None:
        """Written by training, in the one format ``load`` reads."""
        meta = {"format": FORMAT, "labels": self.labels, "hint_vocabulary": self.hint_vocabulary}
        np.savez_compressed(
            path,
            meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
            vocabulary=np.frombuffer("\n".join(self.vocabulary).encode("utf-8"), dtype=np.uint8),
            idf=self.idf,
            text_weights=self.text_weights.astype(np.float16),
            hint_weights=self.hint_weights,
            intercepts=self.intercepts,
        )

    def label_probabilities(self, text: str, hint: str | None) -> np.ndarray:
        """Softmax over ``labels`` for one text and its rule hint."""
        scores = self._text_scores(_words(normalise(text)))
        for row in self._hint_rows.get(hint) or self._rows_of(hint):
            scores += row
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def _rows_of(self, hint: str | None) -> list[np.ndarray]:
        """The rows of ``hint_weights`` a rule hint adds: those of its ``hint_features``."""
        index = self._hint_index
        return [
            self.hint_weights[j] for f in hint_features(hint) if (j := index.get(f)) is not None
        ]

    def _text_scores(self, words: list[str]) -> np.ndarray:
        """The intercepts plus the scores of the words' sublinear TF-IDF vector, L2-normalised.

        The vector is sparse: only the columns the words hit are gathered, in ascending order.
        """
        scores = self.intercepts.copy()
        found = self._columns(words)
        if found:
            columns, counts = _counted(np.frombuffer(found, dtype=np.int64))
            values = (1.0 + np.log(counts)) * self.idf.take(columns)
            values /= math.sqrt(values.dot(values))
            scores += values @ self.text_weights.take(columns, axis=0)
        return scores

    def _columns(self, words: list[str]) -> array[int]:
        """The vocabulary columns of the features ``features`` gives the words, one per
        occurrence, in no order: each word's own, and the bigram it ends."""
        found = array("q")
        ending = _NO_BIGRAMS  # the bigrams the previous word starts, by the word that ends them
        for word in words:
            if (j := ending.get(word)) is not None:
                found.append(j)
            columns, ending = self._words.get(word) or self._known(word)
            found += columns
        return found

    def _known(self, word: str) -> _KnownWord:
        """A word's vocabulary columns and the bigrams it starts, kept: news repeats its words
        far more than it coins; forgotten all at once past ``WORD_MEMORY`` words, so a worker
        that reads for months does not keep every word it ever met."""
        if len(self._words) >= WORD_MEMORY:
            self._words.clear()
        index = self._index
        columns = array("q", [j for f in word_features(word) if (j := index.get(f)) is not None])
        known = self._words[word] = (columns, self._bigram_index.get(word, _NO_BIGRAMS))
        return known

    def predict(self, text: str, rule_sub_event_type: str | None) -> TypePrediction:
        """The most probable event type, and its most probable sub-event type.

        Pass ``rule_hint(text, lexicons)`` (or the rules' own pick for the text) as
        ``rule_sub_event_type``: the model was trained with that hint.
        """
        label_p = self.label_probabilities(text, rule_sub_event_type)
        type_p = np.bincount(self._label_type, weights=label_p, minlength=len(self._event_types))
        best_type = int(type_p.argmax())
        within = np.where(self._label_type == best_type, label_p, -1.0)
        best_label = int(within.argmax())
        event_type, sub_event_type = self.labels[best_label]
        return TypePrediction(
            event_type, sub_event_type, float(type_p[best_type]), float(label_p[best_label])
        )


def _by_first_word(index: dict[str, int]) -> dict[str, dict[str, int]]:
    """The columns of the bigram features in ``index`` by their first word, then their second:
    a text's bigrams are looked up without building their feature strings (``_bigrams``)."""
    bigrams: dict[str, dict[str, int]] = {}
    for feature, j in index.items():
        if feature.startswith("b:"):
            first, second = feature.removeprefix("b:").split(" ")
            bigrams.setdefault(first, {})[second] = j
    return bigrams


def _counted(indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct indices, ascending, and how often each occurs (``np.unique``'s answer,
    several times faster on the few hundred a text has); sorts ``indices`` in place."""
    indices.sort()
    n = len(indices)
    edges = np.empty(n + 1, dtype=bool)  # where a run of equal indices starts, and the end
    edges[0] = edges[n] = True
    np.not_equal(indices[1:], indices[:-1], out=edges[1:n])
    bounds = edges.nonzero()[0]
    return indices[bounds[:-1]], bounds[1:] - bounds[:-1]
