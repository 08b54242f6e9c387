"""The warehouse at scale: 1M articles and 300k incidents in a real DuckDB file.

Synthetic rows go into a file with the product schema (``warehouse.db.connect`` runs the
migrations): raw pages (random bytes, ``raw_kb`` each, standing for the compressed HTML; real
pages are nearer 40 KB, so the default keeps the file within a shared machine's disk),
articles of ``words`` words (sentences of a 5,000-word vocabulary), their MinHash signatures,
the incidents of one year with one or two mentions each, and every day's summary. Then, as
the product does:

- one day's ``daily_summary`` rebuilt (``warehouse.incidents.rebuild_daily_summary``, in a
  transaction, as a summarize batch does), median of several days;
- incidents per admin1 per week over the year, read-only on the published snapshot (an
  analyst's query), median of several runs;
- ``warehouse.snapshot.publish`` the first time (every partition written), then again after
  one day's incidents changed (only what changed written), and the file's size on disk.

    .venv/bin/python -m bench.run_all --only warehouse --articles 1000000 --incidents 300000
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from bench.table import Figure, against
from warehouse.db import connect
from warehouse.incidents import rebuild_daily_summary
from warehouse.snapshot import publish

FIRST_DAY = date(2020, 1, 1)
DAYS = 366
BATCH = 50_000
VOCABULARY = 5_000
SENTENCES = 2_000
SENTENCE_WORDS = 20
TARGET_DAY_SECONDS = 1.0
TARGET_WEEKLY_SECONDS = 0.2
COUNTRIES = ("AZE", "ARM", "UKR", "SYR", "YEM", "NGA", "MLI", "COL", "MEX", "IND")

PER_ADMIN1_PER_WEEK = """
SELECT country, admin1, date_trunc('week', event_date) AS week, count(*) AS incidents,
       sum(killed_best) AS killed_best
FROM incidents WHERE event_date BETWEEN $first AND $last
GROUP BY ALL ORDER BY ALL
"""

ARTICLES = """
INSERT INTO articles
SELECT printf('%016x', i), 'https://site' || i % 200 || '.example/news/' || i,
       'https://site' || i % 200 || '.example/news/' || i, 'site' || i % 200, 'bench',
       'Story ' || i,
       array_to_string(list_transform(range($per_article), lambda x:
           $sentences[(1 + hash(i * $per_article + x) % len($sentences))::BIGINT]), ' '),
       NULL, 'en', $first::TIMESTAMPTZ + to_seconds((hash(i) % ($days * 86400))::BIGINT),
       'meta', NULL, false, $per_article * $sentence_words, md5(i::VARCHAR), now(), now(),
       0, CAST(timezone('UTC', $first::TIMESTAMPTZ
                                + to_seconds((hash(i) % ($days * 86400))::BIGINT)) AS DATE)
FROM range($count) AS t(i)
"""

RAW_PAGES = """
INSERT INTO raw_pages
SELECT 'https://site' || i % 200 || '.example/news/' || i, NULL, 'site' || i % 200, 200, '{}',
       body, md5(i::VARCHAR), octet_length(body), NULL, NULL, now(), 'bench', now()
FROM batch
"""

MINHASH = "INSERT INTO article_minhash SELECT printf('%016x', i), signature, [] FROM batch"

INCIDENTS = """
INSERT INTO incidents BY NAME
SELECT printf('%016x', i) AS incident_id, 'bench|' || i AS incident_key,
       $first::DATE + (i % $days)::INTEGER AS event_date,
       $first::DATE + (i % $days)::INTEGER AS date_start,
       $first::DATE + (i % $days)::INTEGER AS date_end,
       1 + (i % 10 = 0)::INTEGER AS time_precision,
       t.event_type, t.sub_event_type, 'Place ' || i % 5000 AS location,
       'Region ' || i % 120 AS admin1, $countries[1 + i % len($countries)] AS country,
       (i % 170) - 85 + 0.5 AS latitude, (i % 350) - 175 + 0.5 AS longitude,
       i % 5000 AS geonameid, 1 AS geo_precision, 'Actor ' || i % 300 AS actor1,
       NULL AS actor2, i % 4 AS killed_low, i % 4 + i % 2 AS killed_best,
       i % 4 + i % 2 + i % 3 AS killed_high, NULL AS injured_low, NULL AS injured_best,
       NULL AS injured_high, i % 5 = 0 AS civilian_killed,
       CASE WHEN i % 50 = 0 THEN 'disputed' ELSE 'reported' END AS claim_status,
       1 + i % 2 AS num_articles, 1 AS num_sources, now() AS first_reported_at,
       'bench' AS last_updated_run, 'model' AS type_basis, 0.9 AS type_probability
FROM range($count) AS r(i)
JOIN (SELECT row_number() OVER () - 1 AS n, * FROM event_types) t ON t.n = i % 25
"""

MENTIONS = """
INSERT INTO incident_mentions BY NAME
SELECT i.* EXCLUDE (incident_key, num_articles, num_sources, first_reported_at,
                    last_updated_run),
       printf('%016x', (hash(i.incident_id) + copy) % $articles) AS article_id,
       'https://example/' || i.incident_id AS url, 'site' || copy AS source_id,
       now() AS published_at, 'bench' AS run_id, 'bench' AS extractor_version,
       [{'sentence': 'Shelling of ' || i.location || ' killed ' || i.killed_best || '.',
         'start_char': 0, 'end_char': 40, 'killed_low': i.killed_low,
         'killed_best': i.killed_best, 'killed_high': i.killed_high, 'injured_low': NULL,
         'injured_best': NULL, 'injured_high': NULL}] AS sentences
FROM incidents i, range(2) AS c(copy)
WHERE copy < i.num_articles
"""

EXTRACTIONS = """
INSERT INTO incident_extractions
SELECT printf('%016x', i), 'bench', 'bench', now(), 0, false FROM range($count) AS t(i)
"""


def run(
    folder: Path | None = None,
    *,
    articles: int = 1_000_000,
    incidents: int = 300_000,
    words: int = 400,
    raw_kb: int = 4,
    repeats: int = 5,
) -> dict[str, Any]:
    """Build the warehouse in ``folder`` (a temporary one by default) and time what it serves."""
    with tempfile.TemporaryDirectory(prefix="newsdesk-scale-", dir=folder) as work:
        working, snapshot = Path(work) / "work.duckdb", Path(work) / "newsdesk.duckdb"
        con = connect(working)
        con.execute("SET enable_progress_bar = false")
        built = _seconds(lambda: _fill(con, articles, incidents, words, raw_kb))
        full = _seconds(lambda: rebuild_daily_summary(con, _days()))
        days = _days()[:: max(1, DAYS // repeats)][:repeats]
        one_day = statistics.median(_seconds(lambda d=d: _rebuild_one(con, d)) for d in days)
        con.execute("CHECKPOINT")
        size = working.stat().st_size
        published = _seconds(lambda: publish(con, snapshot, keep=timedelta(0)))
        _change_one_day(con, days[0])
        republished = _seconds(lambda: publish(con, snapshot, keep=timedelta(0)))
        con.close()
        weekly = _median_query(snapshot, repeats)
    return {
        "articles": articles,
        "incidents": incidents,
        "raw_kb": raw_kb,
        "build_seconds": round(built, 1),
        "all_days_summary_seconds": round(full, 2),
        "one_day_summary_seconds": round(one_day, 3),
        "admin1_weekly_year_seconds": round(weekly, 3),
        "publish_seconds": round(published, 2),
        "republish_one_day_seconds": round(republished, 2),
        "size_gb": round(size / 1e9, 2),
    }


def figures(result: dict[str, Any]) -> list[Figure]:
    scale = f"{result['articles']:,} articles, {result['incidents']:,} incidents"
    day, weekly = result["one_day_summary_seconds"], result["admin1_weekly_year_seconds"]
    return [
        Figure(f"warehouse: {scale}, file size", f"{result['size_gb']} GB"),
        against("warehouse: one day's summary rebuilt", day, TARGET_DAY_SECONDS, unit=" s"),
        against(
            "warehouse: incidents per admin1 per week, a year",
            weekly,
            TARGET_WEEKLY_SECONDS,
            unit=" s",
        ),
        Figure("warehouse: first publish (every partition)", f"{result['publish_seconds']} s"),
        Figure(
            "warehouse: publish after one day changed",
            f"{result['republish_one_day_seconds']} s",
        ),
    ]


def _fill(con: duckdb.DuckDBPyConnection, articles: int, incidents: int, words: int, raw_kb: int):
    rng = np.random.default_rng(1)
    dates = {"first": FIRST_DAY, "days": DAYS}
    texts = {"sentences": _sentences(rng), "sentence_words": SENTENCE_WORDS}
    per_article = max(1, words // SENTENCE_WORDS)
    con.execute(ARTICLES, {**dates, **texts, "per_article": per_article, "count": articles})
    for start in range(0, articles, BATCH):
        count = min(BATCH, articles - start)
        batch = pa.table(  # noqa: F841 - read by name in the SQL
            {
                "i": pa.array(range(start, start + count), pa.int64()),
                "body": _blobs(rng, count, raw_kb * 1024),
                "signature": _blobs(rng, count, 128 * 8),
            }
        )
        con.execute(RAW_PAGES)
        con.execute(MINHASH)
    con.execute(INCIDENTS, {**dates, "countries": list(COUNTRIES), "count": incidents})
    con.execute(MENTIONS, {"articles": articles})
    con.execute(EXTRACTIONS, {"count": articles})


def _sentences(rng: np.random.Generator) -> list[str]:
    """Sentences of random words from a vocabulary of short pseudo-words: text that compresses
    about as well as prose, drawn per article a sentence at a time (a word at a time is slow)."""
    vocabulary = np.array([f"{n:x}{'ing' * (n % 3 == 0)}" for n in range(VOCABULARY)])
    picks = rng.integers(0, VOCABULARY, (SENTENCES, SENTENCE_WORDS))
    return [" ".join(vocabulary[row]) + "." for row in picks]


def _blobs(rng: np.random.Generator, count: int, size: int) -> pa.Array:
    data = rng.integers(0, 256, count * size, dtype=np.uint8)
    offsets = np.arange(0, (count + 1) * size, size, dtype=np.int32)
    return pa.BinaryArray.from_buffers(
        pa.binary(), count, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _days() -> list[date]:
    return [FIRST_DAY + timedelta(days=n) for n in range(DAYS)]


def _rebuild_one(con: duckdb.DuckDBPyConnection, day: date) -> None:
    con.execute("BEGIN TRANSACTION")
    rebuild_daily_summary(con, [day])
    con.execute("COMMIT")


def _change_one_day(con: duckdb.DuckDBPyConnection, day: date) -> None:
    """What a run that re-read one day's articles leaves: that day's incidents rewritten."""
    con.execute("UPDATE incidents SET num_articles = num_articles + 1 WHERE event_date = ?", [day])


def _median_query(snapshot: Path, repeats: int) -> float:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        span = {"first": FIRST_DAY, "last": FIRST_DAY + timedelta(days=DAYS - 1)}
        return statistics.median(
            _seconds(lambda: con.execute(PER_ADMIN1_PER_WEEK, span).fetchall())
            for _ in range(repeats)
        )
    finally:
        con.close()


def _seconds(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started
