"""Which near-duplicate threshold finds syndicated copies without merging different stories.

Real article bodies (``extraction/ground-truth.json`` of the evaluation set) are the originals.
From each, copies are made the way outlets re-post wire reports (words changed, sentences
reordered, a new headline, boilerplate around the text), and two kinds of different story: another
article, a follow-up that re-uses a third of the original as background, and another day's report
from the same template (figures and names changed, at least 8% of the words: the case where a
false merge loses incidents). Every probe goes through the real ``NearDuplicateIndex`` (LSH, then
the estimated-Jaccard check), so LSH misses count against recall.

    .venv/bin/python -m bench.dedupe_threshold --eval-dir ../shared/eval
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tasks.dedupe.copies import (
    DedupeCandidate,
    NearDuplicateIndex,
    figures,
)
from tasks.dedupe.minhash import content_hash, estimated_jaccard, signature

THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)
MIN_WORDS = 150
MIN_TEMPLATE_CHANGE = 0.08
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
BOILERPLATE = (
    "Follow us on Twitter and Facebook for the latest news. Subscribe to our newsletter to get "
    "the top stories delivered to your inbox every morning. Copyright 2020 Example Wire. All "
    "rights reserved. This material may not be published, broadcast, rewritten or redistributed."
)
Variant = Callable[[str, random.Random, list[str]], str]


def replace_words(share: float) -> Variant:
    def variant(text: str, rng: random.Random, vocabulary: list[str]) -> str:
        words = text.split()
        for position in rng.sample(range(len(words)), round(len(words) * share)):
            words[position] = rng.choice(vocabulary)
        return " ".join(words)

    return variant


def reorder_sentences(text: str, rng: random.Random, _: list[str]) -> str:
    sentences = SENTENCE_END.split(text)
    rng.shuffle(sentences)
    return " ".join(sentences)


def new_headline(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    headline = " ".join(rng.choice(vocabulary) for _ in range(10)).capitalize()
    return f"{headline}\n\n{replace_words(0.02)(text, rng, vocabulary)}"


def with_boilerplate(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    dateline = f"{rng.choice(vocabulary).upper()}, Oct 4 (Example Wire) -"
    return f"{dateline} {text}\n\n{BOILERPLATE}"


def syndicated(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    """What a re-posting outlet usually does: all of the above, lightly."""
    edited = replace_words(0.05)(text, rng, vocabulary)
    return with_boilerplate(new_headline(edited, rng, vocabulary), rng, vocabulary)


COPIES: dict[str, Variant] = {
    "2% words changed": replace_words(0.02),
    "5% words changed": replace_words(0.05),
    "10% words changed": replace_words(0.10),
    "sentences reordered": reorder_sentences,
    "headline changed": new_headline,
    "boilerplate added": with_boilerplate,
    "syndicated (all, 5%)": syndicated,
}


def follow_up(original: str, other: str) -> str:
    """A different story that re-uses a third of the original as background."""
    words = original.split()
    return f"{other}\n{' '.join(words[: len(words) // 3])}"


def same_template(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    """Another day's report from the same template: every figure and half the names differ."""
    names = [w for w in vocabulary if w[:1].isupper()]
    words = text.split()
    for position, word in enumerate(words):
        if any(c.isdigit() for c in word):
            words[position] = str(rng.randrange(2, 500))
        elif position and word[:1].isupper() and rng.random() < 0.5:
            words[position] = rng.choice(names)
    return " ".join(words)


def changed_share(original: str, copy: str) -> float:
    pairs = list(zip(original.split(), copy.split(), strict=False))
    return sum(a != b for a, b in pairs) / len(pairs)


def load_bodies(eval_dir: Path) -> list[str]:
    truth = json.loads((eval_dir / "extraction" / "ground-truth.json").read_text("utf-8"))
    bodies = [item["articleBody"] for _, item in sorted(truth.items())]
    return [body for body in bodies if len(body.split()) >= MIN_WORDS]


def candidate(article_id: str, body: str) -> DedupeCandidate:
    return DedupeCandidate(
        article_id, article_id, datetime(2020, 1, 1, tzinfo=UTC), content_hash(body),
        signature(body), figures(body),
    )  # fmt: skip


def probes(bodies: list[str], seed: int) -> list[tuple[str, int, DedupeCandidate]]:
    """(kind, index of the original, probe article) for every copy and different story."""
    rng = random.Random(seed)
    vocabulary = sorted({w for body in bodies for w in body.split() if w.isalpha()})
    made = []
    for number, body in enumerate(bodies):
        for kind, variant in COPIES.items():
            made.append(
                (kind, number, candidate(f"{kind}/{number}", variant(body, rng, vocabulary)))
            )
        other = bodies[(number + 1 + rng.randrange(len(bodies) - 1)) % len(bodies)]
        made.append(("DIFFERENT: other story", number, candidate(f"other/{number}", other)))
        made.append(
            ("DIFFERENT: follow-up", number, candidate(f"f/{number}", follow_up(body, other)))
        )
        template = same_template(body, rng, vocabulary)
        if changed_share(body, template) >= MIN_TEMPLATE_CHANGE:
            made.append(("DIFFERENT: same template", number, candidate(f"t/{number}", template)))
    return made


def match_rates(
    originals: list[DedupeCandidate], made: list[tuple[str, int, DedupeCandidate]], threshold: float
) -> dict[str, float]:
    """Share of probes of each kind the index links to their original."""
    index = NearDuplicateIndex.from_stored(originals, threshold)
    hits: dict[str, list[bool]] = {}
    for kind, number, probe in made:
        index.add(probe)
        hits.setdefault(kind, []).append(
            originals[number].article_id in set(index.copies_of(probe.article_id))
        )
        index.discard(probe.article_id)
    return {kind: sum(found) / len(found) for kind, found in hits.items()}


def similarity_summary(
    originals: list[DedupeCandidate], made: list[tuple[str, int, DedupeCandidate]]
) -> dict[str, tuple[float, float, float]]:
    by_kind: dict[str, list[float]] = {}
    for kind, number, probe in made:
        value = estimated_jaccard(originals[number].signature, probe.signature)
        by_kind.setdefault(kind, []).append(value)
    return {k: (min(v), statistics.median(v), max(v)) for k, v in by_kind.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=Path("../shared/eval"))
    parser.add_argument("--seed", type=int, default=20201004)
    args = parser.parse_args()
    bodies = load_bodies(args.eval_dir)
    originals = [candidate(f"original/{n}", body) for n, body in enumerate(bodies)]
    made = probes(bodies, args.seed)
    print(f"{len(bodies)} originals of >= {MIN_WORDS} words, {len(made)} probes\n")
    print(f"{'estimated Jaccard with the original':40} {'min':>6} {'median':>6} {'max':>6}")
    for kind, (low, middle, high) in similarity_summary(originals, made).items():
        print(f"{kind:40} {low:6.2f} {middle:6.2f} {high:6.2f}")
    rates = {t: match_rates(originals, made, t) for t in THRESHOLDS}
    print(f"\n{'linked to the original, by threshold':40}" + "".join(f"{t:>6}" for t in THRESHOLDS))
    for kind in rates[THRESHOLDS[0]]:
        print(f"{kind:40}" + "".join(f"{rates[t][kind]:6.2f}" for t in THRESHOLDS))
    print("\nCopies: higher is better (recall). DIFFERENT rows: lower is better (false merges).")


if __name__ == "__main__":
    main()
