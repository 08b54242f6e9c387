"""Loading articles and their duplicate links.

One row per canonical URL. A second URL for the same canonical page (tracking parameters, AMP,
mobile) does not overwrite the first: it is recorded in ``article_duplicates`` as a ``url``
member, so the three dedupe levels all leave a trace.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from warehouse.loads import TS, merge_rows

ARTICLES_SCHEMA = pa.schema(
    [("article_id", pa.string()), ("canonical_url", pa.string()), ("url", pa.string()),
     ("source_id", pa.string()), ("run_id", pa.string()), ("title", pa.string()),
     ("body", pa.string()), ("byline", pa.string()), ("language", pa.string()),
     ("published_at", TS), ("published_at_source", pa.string()),
     ("published_at_raw", pa.string()), ("published_is_fallback", pa.bool_()),
     ("published_tz_offset", pa.int16()), ("published_local_date", pa.date32()),
     ("word_count", pa.int32()), ("content_hash", pa.string()), ("first_seen_at", TS),
     ("updated_at", TS)]
)  # fmt: skip
DUPLICATES_SCHEMA = pa.schema(
    [("member_url", pa.string()), ("member_article_id", pa.string()),
     ("canonical_article_id", pa.string()), ("method", pa.string()),
     ("similarity", pa.float64()), ("run_id", pa.string()), ("detected_at", TS)]
)  # fmt: skip

# A re-load of the same page refreshes it but keeps when it was first seen.
ARTICLE_UPDATE = (
    "UPDATE SET title = s.title, body = s.body, byline = s.byline, language = s.language, "
    "published_at = s.published_at, published_at_source = s.published_at_source, "
    "published_at_raw = s.published_at_raw, published_is_fallback = s.published_is_fallback, "
    "published_tz_offset = s.published_tz_offset, "
    "published_local_date = s.published_local_date, "
    "word_count = s.word_count, content_hash = s.content_hash, run_id = s.run_id, "
    "updated_at = s.updated_at"
)


def owners_of(con: duckdb.DuckDBPyConnection, canonical_urls: Sequence[str]) -> dict[str, str]:
    """The page URL each already-stored canonical URL was loaded from."""
    return dict(
        con.execute(
            "SELECT canonical_url, url FROM articles WHERE canonical_url IN (SELECT unnest(?))",
            [list(canonical_urls)],
        ).fetchall()
    )


def upsert_articles(
    con: duckdb.DuckDBPyConnection, run_id: str, records: Sequence[dict[str, Any]]
) -> int:
    """Rows carry the ``articles`` columns; any others (the fingerprint) are left out here."""
    now = datetime.now(UTC)
    columns = set(ARTICLES_SCHEMA.names)
    rows = [
        {**{k: v for k, v in record.items() if k in columns}, "run_id": run_id,
         "first_seen_at": now, "updated_at": now}
        for record in records
    ]  # fmt: skip
    return merge_rows(con, "articles", "article_id", rows, ARTICLES_SCHEMA, update=ARTICLE_UPDATE)


def record_duplicates(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    links: Sequence[tuple[str, str | None, str, str, float]],
) -> int:
    """Links as (member_url, member_article_id, canonical_article_id, method, similarity)."""
    now = datetime.now(UTC)
    rows = [
        {
            "member_url": member_url,
            "member_article_id": member_id,
            "canonical_article_id": canonical_id,
            "method": method,
            "similarity": similarity,
            "run_id": run_id,
            "detected_at": now,
        }
        for member_url, member_id, canonical_id, method, similarity in links
    ]
    return merge_rows(con, "article_duplicates", "member_url", rows, DUPLICATES_SCHEMA)


def forget_copies(con: duckdb.DuckDBPyConnection, article_ids: Iterable[str]) -> None:
    """Drop the exact and near links of these members before their clusters are rewritten.

    URL-variant rows stay: they record another address of a page, not a copy of a story.
    """
    con.execute(
        "DELETE FROM article_duplicates WHERE method IN ('exact', 'near') "
        "AND member_article_id IN (SELECT unnest(?))",
        [sorted(article_ids)],
    )


def articles_of_pages(con: duckdb.DuckDBPyConnection, page_urls: Iterable[str]) -> list[str]:
    """The ids of the articles these pages gave, in order."""
    urls = sorted(page_urls)
    if not urls:
        return []
    return [
        row[0]
        for row in con.execute(
            "SELECT article_id FROM articles WHERE url IN (SELECT unnest(?)) ORDER BY 1", [urls]
        ).fetchall()
    ]


def retire(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> None:
    """Delete these articles (their pages are now rejected), with their fingerprint and band
    keys and every duplicate row naming them.

    Without this a page that re-processing now rejects would still count as a story.
    """
    if article_ids:
        for statement in RETIRE:
            con.execute(statement, [list(article_ids)])


RETIRE = (
    "DELETE FROM article_duplicates WHERE member_article_id IN (SELECT unnest($1)) "
    "OR canonical_article_id IN (SELECT unnest($1))",
    "DELETE FROM article_minhash WHERE article_id IN (SELECT unnest($1))",
    "DELETE FROM article_bands WHERE article_id IN (SELECT unnest($1))",
    "DELETE FROM articles WHERE article_id IN (SELECT unnest($1))",
)
