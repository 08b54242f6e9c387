"""Exact and near-duplicate articles: one story, one canonical article, every copy recorded.

Wire reports are re-posted by dozens of outlets, lightly edited and re-headlined; counting each
copy would multiply every incident. Copies are kept (their URLs are evidence of reach) and linked
to one canonical member per cluster: the earliest published, ties broken by ``article_id``.

Similarity is the Jaccard index of word 5-shingles, estimated by MinHash and searched with LSH.
Clusters are the connected components of "same normalised text, or estimated Jaccard at least the
threshold" over every article the index holds (earlier runs included), so the outcome does not
depend on the order articles arrive in, within a batch or across runs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from tasks.dedupe.minhash import (
    DEFAULT_PERMUTATIONS,
    Banding,
    band_keys,
    estimated_jaccard,
    signature_values,
)

FIGURE = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
FIGURE_CONTAINMENT = 0.5


@dataclass(frozen=True)
class DedupeCandidate:
    """What dedupe needs to know about one loaded or about-to-be-loaded article."""

    article_id: str
    url: str
    published_at: datetime
    content_hash: str
    signature: bytes
    figures: frozenset[str] = frozenset()  # the numbers the body states, see ``figures``

    @property
    def seniority(self) -> tuple[datetime, str]:
        """Sort key: the earliest published member of a cluster is its canonical article."""
        return (self.published_at, self.article_id)


@dataclass(frozen=True)
class DuplicateLink:
    """One ``article_duplicates`` row: ``member`` is a copy of ``canonical``.

    Fields are in the order ``warehouse.articles.record_duplicates`` takes (``astuple(link)``).
    """

    member_url: str
    member_article_id: str
    canonical_article_id: str
    method: str  # exact | near
    similarity: float  # estimated Jaccard with the canonical article; 1.0 for exact


def figures(body: str) -> frozenset[str]:
    """The numbers a body states ("1,200" and "1200" alike), to tell copies from templates."""
    return frozenset(match.replace(",", "") for match in FIGURE.findall(body))


def figures_agree(first: frozenset[str], second: frozenset[str]) -> bool:
    """Most of the shorter text's numbers appear in the other (or either states none).

    Another day's report from the same template shares most words but not its figures, and
    would otherwise pass for a lightly edited copy (about a third of them do at a Jaccard
    threshold of 0.45); a copy trimmed by a paragraph keeps the numbers it kept.
    """
    if not first or not second:
        return True
    return len(first & second) / min(len(first), len(second)) >= FIGURE_CONTAINMENT


class NearDuplicateIndex:
    """The articles one batch can reach, searchable by text similarity.

    The warehouse fills it with the batch's neighbourhood (stored articles sharing a band key
    with the batch, and the whole clusters they are in); clusters are closed under "copy of",
    so within that neighbourhood every cluster comes out as it would over the whole history.
    """

    def __init__(
        self,
        threshold: float,
        num_perm: int = DEFAULT_PERMUTATIONS,
        banding: Banding | None = None,
    ) -> None:
        """``banding`` defaults to the one for ``threshold``; a run passes its own, made once."""
        self.threshold = threshold
        self.num_perm = num_perm
        self.banding = banding or Banding.for_threshold(threshold, num_perm)
        self._articles: dict[str, DedupeCandidate] = {}
        self._keys: dict[str, np.ndarray] = {}  # each article's band keys
        self._by_hash: dict[str, set[str]] = defaultdict(set)
        self._sharing: dict[str, set[str]] | None = None  # made again after every change

    @classmethod
    def from_stored(
        cls,
        stored: Iterable[DedupeCandidate],
        threshold: float,
        num_perm: int = DEFAULT_PERMUTATIONS,
        banding: Banding | None = None,
    ) -> NearDuplicateIndex:
        """An index of stored articles (``articles`` joined with ``article_minhash``)."""
        index = cls(threshold, num_perm, banding)
        index.add_all(list(stored))
        return index

    def __len__(self) -> int:
        return len(self._articles)

    def get(self, article_id: str) -> DedupeCandidate | None:
        return self._articles.get(article_id)

    def add(self, article: DedupeCandidate) -> None:
        """Insert, or replace the earlier version of a re-processed article."""
        self.add_all([article])

    def add_all(self, articles: Sequence[DedupeCandidate]) -> None:
        """``add`` each in turn, with every band key worked out in one vectorised step."""
        for article in articles:
            if len(signature_values(article.signature)) != self.num_perm:
                raise ValueError(f"{article.article_id}: signature is not {self.num_perm} values")
        values = [signature_values(article.signature) for article in articles]
        keys = band_keys(np.stack(values), self.banding) if values else []
        for article, article_keys in zip(articles, keys, strict=True):
            self.discard(article.article_id)
            self._articles[article.article_id] = article
            self._keys[article.article_id] = article_keys
            self._by_hash[article.content_hash].add(article.article_id)
        self._sharing = None

    def discard(self, article_id: str) -> None:
        old = self._articles.pop(article_id, None)
        if old is not None:
            self._by_hash[old.content_hash].discard(article_id)
            del self._keys[article_id]
            self._sharing = None

    def copies_of(self, article_id: str) -> Iterator[str]:
        """Indexed articles with the same text, or similar at or above the threshold."""
        article = self._articles[article_id]
        yield from self._by_hash[article.content_hash] - {article_id}
        if self._sharing is None:
            self._sharing = _sharing_a_key(self._keys)
        candidates = self._sharing.get(article_id, set())
        for other in sorted(candidates - self._by_hash[article.content_hash]):
            if self.similarity(article_id, other) >= self.threshold and figures_agree(
                article.figures, self._articles[other].figures
            ):
                yield other

    def similarity(self, first_id: str, second_id: str) -> float:
        first, second = self._articles[first_id], self._articles[second_id]
        if first.content_hash == second.content_hash:
            return 1.0
        return estimated_jaccard(first.signature, second.signature)

    def cluster_of(self, article_id: str, leaving_out: frozenset[str] = frozenset()) -> set[str]:
        """Everything reachable through copies (a copy of a copy is in the same story)."""
        cluster, frontier = {article_id}, [article_id]
        while frontier:
            for other in self.copies_of(frontier.pop()):
                if other not in cluster and other not in leaving_out:
                    cluster.add(other)
                    frontier.append(other)
        return cluster

    def canonical_of(self, cluster: Iterable[str]) -> str:
        return min(cluster, key=lambda member: self._articles[member].seniority)


def _sharing_a_key(keys: dict[str, np.ndarray]) -> dict[str, set[str]]:
    """For each article, the others that share at least one band key with it (LSH candidates).

    One sort of every key at once: most keys are unique, so only the few runs of equal keys
    are walked in Python.
    """
    ids = list(keys)
    if not ids:
        return {}
    matrix = np.stack([keys[article_id] for article_id in ids])
    order = np.argsort(matrix.ravel(), kind="stable")
    sorted_keys = matrix.ravel()[order]
    owners = order // matrix.shape[1]
    run = np.concatenate([[0], np.cumsum(sorted_keys[1:] != sorted_keys[:-1])])
    shared = np.bincount(run)[run] > 1
    sharing: dict[str, set[str]] = defaultdict(set)
    runs = np.split(owners[shared], np.flatnonzero(np.diff(run[shared])) + 1)
    for members in ({ids[i] for i in group.tolist()} for group in runs if len(group)):
        for member in members:
            sharing[member] |= members - {member}
    return sharing


@dataclass(frozen=True)
class DuplicateAssignment:
    """What a batch changes in ``article_duplicates``: every cluster it touched, rewritten.

    Links are keyed by member URL and a re-processed article may have left its old cluster, so
    the loader deletes the exact and near links of every ``members`` article before writing
    ``links``; patching only the links that moved would strand the ones that no longer hold.
    """

    links: list[DuplicateLink]  # every copy in the touched clusters
    members: frozenset[str]  # every article now in those clusters, old members included
    changed: list[DuplicateLink]  # links new or re-pointed since the last load: the run's count


def assign_duplicates(
    batch: Sequence[DedupeCandidate],
    index: NearDuplicateIndex,
    retired: Iterable[str] = (),
) -> DuplicateAssignment:
    """Add the batch to the index and drop the ``retired`` articles; the clusters to rewrite.

    Touched clusters are the batch's, and the ones its re-processed or retired articles were in
    before: an article redated or re-written may hand its story to a copy or leave it.
    """
    newcomers = {article.article_id: article for article in sorted(batch, key=_arrival_key)}
    gone = frozenset(retired)
    before = _canonicals(index, [i for i in sorted({*newcomers, *gone}) if index.get(i)])
    for article_id in gone:
        index.discard(article_id)
    index.add_all(list(newcomers.values()))
    clusters = _clusters(index, (set(newcomers) | set(before)) - gone)
    members = frozenset().union(*clusters)
    batch_ids = frozenset(newcomers)
    recorded = before | _canonicals(index, members - before.keys() - batch_ids, batch_ids)
    links = sorted(
        (link for cluster in clusters for link in _cluster_links(index, cluster)),
        key=lambda link: link.member_article_id,
    )
    changed = [
        link for link in links if recorded.get(link.member_article_id) != link.canonical_article_id
    ]
    return DuplicateAssignment(links, members, changed)


def _clusters(index: NearDuplicateIndex, article_ids: set[str]) -> list[set[str]]:
    """The clusters these indexed articles are in, each once."""
    clusters: list[set[str]] = []
    placed: set[str] = set()
    for article_id in sorted(article_ids):
        if article_id not in placed:
            cluster = index.cluster_of(article_id)
            placed |= cluster
            clusters.append(cluster)
    return clusters


def _cluster_links(index: NearDuplicateIndex, cluster: set[str]) -> Iterator[DuplicateLink]:
    canonical = index.canonical_of(cluster)
    for member_id in sorted(cluster - {canonical}):
        method = "exact" if _same_text(index, member_id, canonical) else "near"
        similarity = index.similarity(member_id, canonical)
        yield DuplicateLink(index.get(member_id).url, member_id, canonical, method, similarity)


def _canonicals(
    index: NearDuplicateIndex, article_ids: Iterable[str], leaving_out: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The canonical each article has in the index as it stands, without ``leaving_out``.

    Taken before a batch changes the index, or leaving the batch out after, this is what the
    last load recorded for them.
    """
    canonicals: dict[str, str] = {}
    for article_id in sorted(article_ids):
        if article_id not in canonicals:
            cluster = index.cluster_of(article_id, leaving_out=leaving_out)
            canonicals |= dict.fromkeys(cluster, index.canonical_of(cluster))
    return canonicals


def _same_text(index: NearDuplicateIndex, first_id: str, second_id: str) -> bool:
    return index.get(first_id).content_hash == index.get(second_id).content_hash


def _arrival_key(article: DedupeCandidate) -> tuple[str, str, str]:
    """Two versions of one article in a batch: keep one, the same one whatever the batch order."""
    return (article.article_id, article.url, article.content_hash)
