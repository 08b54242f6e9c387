"""Between stage records and warehouse rows.

The warehouse knows tables and rows only (it never imports ``tasks``); this module turns the
records the stages pass around into rows and back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

import duckdb

from tasks.records import FetchRecord, RawPage, Reject
from warehouse import loads


def reject_rows(rejects: Iterable[Reject]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rejects]


def fetch_rows(run_id: str, fetches: Iterable[FetchRecord]) -> list[dict[str, Any]]:
    return [{**asdict(f), "run_id": run_id} for f in fetches]


def raw_page_rows(run_id: str, pages: Iterable[RawPage]) -> list[dict[str, Any]]:
    return [
        {
            "url": p.url,
            "requested_url": p.requested_url,
            "source_id": p.source_id,
            "status": p.status,
            "headers": json.dumps(p.headers),
            "body": p.body,
            "listed_date": p.listed_date,
            "listed_title": p.listed_title,
            "fetched_at": p.fetched_at,
            "run_id": run_id,
        }
        for p in pages
    ]


def pending_pages(
    con: duckdb.DuckDBPyConnection, *, limit: int, after: tuple[datetime, str] | None = None
) -> list[RawPage]:
    """Stored pages not yet cleaned, oldest first (after ``after``), as stage records."""
    return [
        RawPage(
            url=row["url"],
            source_id=row["source_id"],
            body=row["body"],
            fetched_at=row["fetched_at"],
            status=row["status"],
            headers=row["headers"],
            requested_url=row["requested_url"],
            listed_date=row["listed_date"],
            listed_title=row["listed_title"],
        )
        for row in loads.pending_pages(con, limit=limit, after=after)
    ]
