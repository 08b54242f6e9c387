"""Loading one processed batch: URL variants, exact and near copies, rejects, progress.

Everything a batch writes is one transaction, including marking its pages processed, so a run
killed between batches re-does exactly the batches that did not commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, astuple

import duckdb

from config.settings import Settings
from tasks.dedupe.copies import DedupeCandidate, NearDuplicateIndex, assign_duplicates
from tasks.process import ArticleRecord, ProcessedBatch
from tasks.run_counts import IngestCounts
from warehouse import articles, loads, stage_rows


def open_dedupe(con: duckdb.DuckDBPyConnection, settings: Settings) -> NearDuplicateIndex:
    """The near-duplicate index over every article earlier runs loaded."""
    return NearDuplicateIndex.from_stored(
        (
            DedupeCandidate(*row[:5], figures=frozenset(row[5]))
            for row in articles.stored_fingerprints(con)
        ),
        settings.near_duplicate_threshold,
        settings.minhash_permutations,
    )


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
    index: NearDuplicateIndex,
    counts: IngestCounts,
) -> None:
    """Retire what rejected pages gave before, load the rest, rewrite the clusters it touched."""
    with counts.clock.timed("load"), loads.transaction(con):
        retired = articles.retire_pages(con, _rejected_pages(batch))
        owners = articles.owners_of(con, [r.canonical_url for r in batch.articles])
        keep, variants = split_url_variants(batch.articles, owners)
        articles.upsert_articles(con, run_id, [asdict(r) for r in keep])
        with counts.clock.timed("dedupe"):
            copies = assign_duplicates([_candidate(r) for r in keep], index, retired)
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
