"""What publishing the snapshot costs as the history grows: a whole-file copy against partitions.

Builds synthetic working databases of N articles spread over ``--days`` days (a year), each with
its raw page (``--page-kb`` KB of incompressible bytes, as zlib'd HTML is) and a fetch row,
publishes each once, then adds one day of news (``--new`` articles and pages) and times the next
publish two ways on the same file:

- ``copy``: what every run did before: copy the whole working file beside the snapshot, fsync it,
  then open the copy read-only and read every block of every table (the old check);
- ``partitions``: ``warehouse.snapshot.publish``: fingerprint every partition, rewrite the
  changed ones as Parquet, write the views file, check it, rename.

    .venv/bin/python -m bench.publish_cost [--articles 2000 8000 32000] [--page-kb 40] [--days 365]

Prints one JSON line per size and a table with the ratio; wall-clock on a shared machine, so
compare ratios and slopes, not absolute seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from warehouse.db import connect
from warehouse.partitions import quote
from warehouse.snapshot import publish
from warehouse.snapshot_views import parts_folder

FIRST_DAY = datetime(2020, 1, 1, 9, tzinfo=UTC)


def run(
    articles: int, page_kb: int = 40, new: int = 50, days: int = 365, workdir: Path | None = None
) -> dict:
    """Publish costs for ``articles`` articles over ``days`` days, after a run adding ``new``."""
    with tempfile.TemporaryDirectory(dir=workdir) as folder:
        work, snapshot = Path(folder) / "work.duckdb", Path(folder) / "news.duckdb"
        con = connect(work)
        _add_news(con, range(articles), page_kb, lambda n: FIRST_DAY + timedelta(days=n % days))
        publish(con, snapshot, keep=timedelta(0))
        day_after = FIRST_DAY + timedelta(days=days)
        _add_news(con, range(articles, articles + new), page_kb, lambda n: day_after)
        con.execute("CHECKPOINT")
        started = time.perf_counter()
        publish(con, snapshot, keep=timedelta(0))
        partitions = time.perf_counter() - started
        written = _files_of_last_publish(con)
        con.close()
        size = work.stat().st_size
        copy = _copy_publish(work, Path(folder) / "copy.duckdb")
        parts = sum(p.stat().st_size for p in parts_folder(snapshot).rglob("*.parquet"))
    return {
        "articles": articles,
        "days": days,
        "working_db_mb": round(size / 1e6, 1),
        "published_parquet_mb": round(parts / 1e6, 1),
        "copy_seconds": round(copy, 3),
        "partitions_seconds": round(partitions, 3),
        "files_rewritten": written,
        "ratio": round(copy / partitions, 1),
    }


def _add_news(con, numbers: range, page_kb: int, day_of) -> None:
    """Articles, their raw pages and fetches, loaded through Arrow as the pipeline loads."""
    rng = np.random.default_rng(numbers.start)
    now = datetime.now(UTC)
    ids = [f"{n:016x}" for n in numbers]
    urls = [f"https://news.example/{n}" for n in numbers]
    days = [day_of(n) for n in numbers]
    body = "Shelling of the town was reported on the morning of the day. " * 40
    tables = {
        "articles": {
            "article_id": ids, "canonical_url": urls, "url": urls, "source_id": ["wire"] * len(ids),
            "run_id": ["bench"] * len(ids), "title": [f"Report {n}" for n in numbers],
            "body": [body + i for i in ids], "language": ["en"] * len(ids), "published_at": days,
            "published_at_source": ["meta"] * len(ids), "published_is_fallback": [False] * len(ids),
            "word_count": [440] * len(ids), "content_hash": ids, "first_seen_at": [now] * len(ids),
            "updated_at": [now] * len(ids),
        },
        "raw_pages": {
            "url": urls, "source_id": ["wire"] * len(ids), "status": [200] * len(ids),
            "body_zlib": [rng.bytes(page_kb * 1024) for _ in ids], "body_sha256": ids,
            "bytes": [page_kb * 1024] * len(ids), "fetched_at": days,
            "run_id": ["bench"] * len(ids), "processed_at": days,
        },
        "fetches": {
            "run_id": ["bench"] * len(ids), "source_id": ["wire"] * len(ids), "url": urls,
            "status": [200] * len(ids), "bytes": [page_kb * 1024] * len(ids),
            "elapsed_ms": [120.0] * len(ids), "attempts": [1] * len(ids), "fetched_at": days,
        },
    }  # fmt: skip
    for table, columns in tables.items():
        rows = pa.table(columns)  # noqa: F841 - read by name in the SQL below
        con.execute(f"INSERT INTO {quote(table)} BY NAME SELECT * FROM rows")


def _files_of_last_publish(con) -> int:
    (count,) = con.execute(
        "SELECT count(*) FROM published_partitions WHERE generation = "
        "(SELECT max(generation) FROM published_partitions) AND file LIKE '%' || generation || '%'"
    ).fetchone()
    return count


def _copy_publish(work: Path, target: Path) -> float:
    """The publish every run did before: copy, fsync, then read every table back in full."""
    started = time.perf_counter()
    shutil.copyfile(work, target)
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())
    con = duckdb.connect(str(target), read_only=True)
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
    ).fetchall()
    for (table,) in tables:
        con.execute(f"SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM {quote(table)}").fetchall()
    con.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[2000, 8000, 32000])
    parser.add_argument("--page-kb", type=int, default=40)
    parser.add_argument("--new", type=int, default=50)
    parser.add_argument("--days", type=int, default=365, help="days the history spans")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    results = []
    for size in args.articles:
        result = run(size, args.page_kb, args.new, args.days, args.workdir)
        print(json.dumps(result), flush=True)
        results.append(result)
    print(f"\n{'articles':>9} {'db MB':>8} {'copy s':>8} {'partitions s':>13} {'ratio':>6}")
    for r in results:
        print(f"{r['articles']:>9} {r['working_db_mb']:>8} {r['copy_seconds']:>8} "
              f"{r['partitions_seconds']:>13} {r['ratio']:>6}")  # fmt: skip


if __name__ == "__main__":
    main()
