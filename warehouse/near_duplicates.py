"""The database side of near-duplicate search: signatures, LSH band keys, a batch's neighbourhood.

Nothing is held in memory between batches. Each batch looks up the stored articles that share a
band key with it (one join on ``article_bands``), adds the whole clusters those articles are in
(``article_duplicates``), and reads only their fingerprints: what ``assign_duplicates`` needs to
rewrite every cluster the batch touches exactly as a search over the whole history would.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from config.settings import Settings
from tasks.dedupe.copies import DedupeCandidate
from tasks.dedupe.minhash import SCHEME, Banding, band_keys, signature_values
from warehouse.loads import merge_rows

MINHASH_SCHEMA = pa.schema(
    [("article_id", pa.string()), ("signature", pa.binary()), ("figures", pa.list_(pa.string()))]
)
KEYS_VIEW = "_batch_band_keys"

NEIGHBOURHOOD = f"""
WITH hits AS (
    SELECT DISTINCT b.article_id FROM article_bands b JOIN "{KEYS_VIEW}" k USING (band_key)
), seeds AS (
    SELECT article_id FROM hits UNION SELECT unnest($1::VARCHAR[])
), canonicals AS (
    SELECT DISTINCT coalesce(d.canonical_article_id, s.article_id) AS article_id
    FROM seeds s LEFT JOIN article_duplicates d
      ON d.member_article_id = s.article_id AND d.method IN ('exact', 'near')
), members AS (
    SELECT article_id FROM canonicals
    UNION
    SELECT d.member_article_id FROM article_duplicates d
    JOIN canonicals c ON d.canonical_article_id = c.article_id
    WHERE d.method IN ('exact', 'near')
)
SELECT a.article_id, a.url, a.published_at, a.content_hash, m.signature,
       coalesce(m.figures, []) AS figures
FROM members JOIN articles a USING (article_id) JOIN article_minhash m USING (article_id)
ORDER BY a.article_id
"""

UNFINGERPRINTED = """
SELECT article_id, body FROM articles
WHERE article_id NOT IN (SELECT article_id FROM article_minhash)
ORDER BY article_id LIMIT ?
"""


@dataclass(frozen=True)
class DedupeScheme:
    """How near copies are searched this run: threshold, signature length and LSH bands."""

    threshold: float
    num_perm: int
    banding: Banding

    @classmethod
    def from_settings(cls, settings: Settings) -> DedupeScheme:
        threshold, num_perm = settings.near_duplicate_threshold, settings.minhash_permutations
        return cls(threshold, num_perm, Banding.for_threshold(threshold, num_perm))

    @property
    def name(self) -> str:
        """What stored signatures and bands must have been made with to be usable."""
        return f"{SCHEME};{self.num_perm};{self.banding.bands}x{self.banding.rows}"


@dataclass(frozen=True)
class StoredFingerprint:
    """One article's ``article_minhash`` row, as a batch or a re-fingerprinting writes it."""

    article_id: str
    signature: bytes
    figures: Sequence[str]


def scheme_matches(con: duckdb.DuckDBPyConnection, scheme: DedupeScheme) -> bool:
    return con.execute("SELECT scheme FROM minhash_scheme").fetchall() == [(scheme.name,)]


def reset_scheme(con: duckdb.DuckDBPyConnection, scheme: DedupeScheme) -> None:
    """Drop every signature and band key made another way; the articles become unfingerprinted."""
    for statement in ("DELETE FROM article_bands", "DELETE FROM article_minhash"):
        con.execute(statement)
    con.execute("DELETE FROM minhash_scheme")
    con.execute("INSERT INTO minhash_scheme VALUES (?)", [scheme.name])


def unfingerprinted(con: duckdb.DuckDBPyConnection, limit: int) -> list[tuple[str, str]]:
    """(article_id, body) of stored articles with no signature; none costs two counts."""
    [(articles, fingerprinted)] = con.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_minhash)"
    ).fetchall()
    if articles == fingerprinted:
        return []
    return con.execute(UNFINGERPRINTED, [limit]).fetchall()


def store_fingerprints(
    con: duckdb.DuckDBPyConnection, rows: Sequence[StoredFingerprint], scheme: DedupeScheme
) -> None:
    """Signatures and figures (merged on ``article_id``) and their band keys.

    Callers drop the band keys of an article stored before (``forget_bands``) first.
    """
    merge_rows(con, "article_minhash", "article_id", [vars(r) for r in rows], MINHASH_SCHEMA)
    if not rows:
        return
    unique = list({row.article_id: row for row in rows}.values())
    values = np.stack([signature_values(row.signature) for row in unique])
    keys = band_keys(values, scheme.banding)
    table = pa.table(
        {
            "band_key": keys.reshape(-1),
            "article_id": np.repeat([row.article_id for row in unique], keys.shape[1]),
        }
    )
    con.register(KEYS_VIEW, table)
    try:
        con.execute(f'INSERT INTO article_bands SELECT band_key, article_id FROM "{KEYS_VIEW}"')
    finally:
        con.unregister(KEYS_VIEW)


def forget_bands(con: duckdb.DuckDBPyConnection, article_ids: Iterable[str]) -> None:
    """Drop the band keys of articles about to be re-fingerprinted or retired."""
    ids = sorted(article_ids)
    if ids:
        con.execute("DELETE FROM article_bands WHERE article_id IN (SELECT unnest(?))", [ids])


def neighbourhood(
    con: duckdb.DuckDBPyConnection,
    signatures: Sequence[bytes],
    article_ids: Iterable[str],
    scheme: DedupeScheme,
) -> list[DedupeCandidate]:
    """Stored articles a batch can reach: those sharing a band key with ``signatures``, the
    stored versions of ``article_ids`` (the batch's own and retired ones), and every member of
    their clusters."""
    values = [signature_values(s) for s in signatures]
    keys = band_keys(np.stack(values), scheme.banding) if values else np.empty(0, np.int64)
    con.register(KEYS_VIEW, pa.table({"band_key": keys.reshape(-1)}))
    try:
        rows = con.execute(NEIGHBOURHOOD, [sorted(set(article_ids))]).fetchall()
    finally:
        con.unregister(KEYS_VIEW)
    return [DedupeCandidate(*row[:5], figures=frozenset(row[5])) for row in rows]
