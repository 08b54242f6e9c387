"""Loading one processed batch: URL variants, exact and near copies, rejects, progress.

Everything a batch writes is one transaction, including marking its pages processed, so a run
killed between batches re-does exactly the batches that did not commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import astuple

import duckdb

from config.settings import Settings
from tasks.dedupe.copies import DedupeCandidate, NearDuplicateIndex, assign_duplicates, figures
from tasks.dedupe.minhash import fingerprints
from tasks.process import ArticleRecord, ProcessedBatch
from tasks.run_counts import IngestCounts
from warehouse import articles, loads, near_duplicates, stage_rows
from warehouse.near_duplicates import DedupeScheme, StoredFingerprint

# Articles fingerprinted again per transaction when the stored signatures are of another scheme.
REFINGERPRINT_BATCH = 2000


def open_dedupe(con: duckdb.DuckDBPyConnection, settings: Settings) -> DedupeScheme:
    """How this run searches near copies; nothing is loaded, the search lives in the database.

    Signatures made another way (an older version, another permutation count or threshold) are
    dropped and every stored article is fingerprinted again from its body, in batches that each
    commit, so an interrupted upgrade resumes where it stopped.
    """
    scheme = DedupeScheme.from_settings(settings)
    if not near_duplicates.scheme_matches(con, scheme):
        with loads.transaction(con):
            near_duplicates.reset_scheme(con, scheme)
    while stale := near_duplicates.unfingerprinted(con, REFINGERPRINT_BATCH):
        prints = fingerprints([body for _, body in stale], scheme.num_perm)
        rows = [
            StoredFingerprint(article_id, fingerprint.signature, sorted(figures(body)))
            for (article_id, body), fingerprint in zip(stale, prints, strict=True)
        ]
        with loads.transaction(con):
            near_duplicates.store_fingerprints(con, rows, scheme)
    return scheme


def split_url_variants(
    records: Sequence[ArticleRecord], owners: Mapping[str, str]
) -> tuple[list[ArticleRecord], list[ArticleRecord]]:
    """Pages that own their canonical URL, and pages that are another URL for a stored one.

    ``owners`` maps canonical URLs already stored to the page URL they came from; within the
    batch the first page of a canonical URL owns it (pages arrive in fetch order).
    """
    claimed = dict(owners)
    keep, variants = [], []
    for record in records:
        owner = claimed.setdefault(record.canonical_url, record.url)
        (keep if owner == record.url else variants).append(record)
    return keep, variants


def load_batch(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    batch: ProcessedBatch,
    scheme: DedupeScheme,
    counts: IngestCounts,
) -> None:
    """Retire what rejected pages gave before, load the rest, rewrite the clusters it touched."""
    with counts.clock.timed("load"), loads.transaction(con):
        retired = articles.articles_of_pages(con, _rejected_pages(batch))
        owners = articles.owners_of(con, [r.canonical_url for r in batch.articles])
        keep, variants = split_url_variants(batch.articles, owners)
        candidates = [_candidate(r) for r in keep]
        with counts.clock.timed("dedupe"):
            index = _neighbourhood(con, candidates, retired, scheme)
        articles.retire(con, retired)
        articles.upsert_articles(con, run_id, [vars(r) for r in keep])
        near_duplicates.forget_bands(
            con, [c.article_id for c in candidates if index.get(c.article_id)]
        )
        near_duplicates.store_fingerprints(con, [_fingerprint(r) for r in keep], scheme)
        with counts.clock.timed("dedupe"):
            copies = assign_duplicates(candidates, index, retired)
        articles.forget_copies(con, copies.members)
        rows = [(v.url, None, v.article_id, "url", 1.0) for v in variants]
        articles.record_duplicates(con, run_id, rows + [astuple(link) for link in copies.links])
        loads.record_rejects(con, run_id, stage_rows.reject_rows(batch.rejects + batch.flagged))
        loads.mark_processed(con, batch.page_urls)
    counts.pages_processed += len(batch.page_urls)
    counts.articles_loaded += len(keep)
    counts.outside_window += batch.outside_window
    counts.duplicates.update(["url"] * len(variants) + [link.method for link in copies.changed])
    counts.add_rejects(batch.rejects + batch.flagged)
    counts.touched_days.update(r.published_at.date() for r in keep)


def _neighbourhood(
    con: duckdb.DuckDBPyConnection,
    candidates: Sequence[DedupeCandidate],
    retired: Sequence[str],
    scheme: DedupeScheme,
) -> NearDuplicateIndex:
    """The stored articles this batch can reach, as they were before it, indexed in memory."""
    stored = near_duplicates.neighbourhood(
        con,
        [c.signature for c in candidates],
        [*retired, *(c.article_id for c in candidates)],
        scheme,
    )
    return NearDuplicateIndex.from_stored(stored, scheme.threshold, scheme.num_perm, scheme.banding)


def _rejected_pages(batch: ProcessedBatch) -> set[str]:
    """The batch's pages that were rejected; whatever they gave before is no longer an article."""
    return {r.url for r in batch.rejects if r.url} & set(batch.page_urls)


def _candidate(record: ArticleRecord) -> DedupeCandidate:
    return DedupeCandidate(
        record.article_id,
        record.url,
        record.published_at,
        record.content_hash,
        record.signature,
        frozenset(record.figures),
    )


def _fingerprint(record: ArticleRecord) -> StoredFingerprint:
    return StoredFingerprint(record.article_id, record.signature, record.figures)
