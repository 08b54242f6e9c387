"""Incidents in the warehouse: mentions in, merged incidents and daily summaries out.

An article read again (new extractor, changed body, ``force``) has its mention rows replaced
whole, so what it no longer says stops counting. Incidents are upserted on ``incident_id`` and
a row is rewritten only when a value changed, so a re-run leaves every row (and its
``last_updated_run``) as it was. Summaries are rebuilt per day: delete the day, insert it again.

In ``daily_summary`` an incident dated only to a week or month (``time_precision`` 2 or 3)
counts on its ``event_date`` like any other, and is counted again in ``imprecise_incidents``
so analysts can leave those out; ``contested`` counts incidents someone denied (claim status
``denied`` or ``disputed``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, get_args, get_type_hints

import duckdb
import pyarrow as pa

from tasks.incidents.model import CODING_FIELDS, FIGURE_COLUMNS, Incident
from warehouse.loads import TS, append_rows

# Arrow types of the coding columns, read off ``Incident``'s annotations: the dataclass is the one
# declaration of what an incident is, and both incident tables store it.
_ARROW = {
    str: pa.string(),
    date: pa.date32(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
}


def _arrow_type(annotation: Any) -> pa.DataType:
    """``int | None`` → int64: the column is nullable, its type is what is not None."""
    kinds = [kind for kind in get_args(annotation) if kind is not type(None)] or [annotation]
    return _ARROW[kinds[0]]


_HINTS = get_type_hints(Incident)
_CODING = [
    *((name, _arrow_type(_HINTS[name])) for name in CODING_FIELDS),
    *((name, pa.int32()) for name in FIGURE_COLUMNS),
]
_SENTENCE = pa.struct(
    [("sentence", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()),
     *((name, pa.int32()) for name in FIGURE_COLUMNS)]
)  # fmt: skip
INCIDENTS_SCHEMA = pa.schema(
    [("incident_id", pa.string()), ("incident_key", pa.string()), *_CODING,
     ("num_articles", pa.int32()), ("num_sources", pa.int32()), ("first_reported_at", TS),
     ("last_updated_run", pa.string())]
)  # fmt: skip
MENTIONS_SCHEMA = pa.schema(
    [("incident_id", pa.string()), ("article_id", pa.string()), ("url", pa.string()),
     ("source_id", pa.string()), ("published_at", TS), ("run_id", pa.string()),
     ("extractor_version", pa.string()), *_CODING, ("sentences", pa.list_(_SENTENCE))]
)  # fmt: skip
EXTRACTIONS_SCHEMA = pa.schema(
    [("article_id", pa.string()), ("extractor_version", pa.string()), ("run_id", pa.string()),
     ("extracted_at", TS), ("incidents", pa.int32()), ("failed", pa.bool_())]
)  # fmt: skip

# Unique stories this extractor has not read, or whose body changed since it did.
PENDING_ARTICLES = """
SELECT u.article_id, u.url, u.source_id, u.body, u.published_at,
       coalesce(s.timezone, 'UTC') AS timezone
FROM unique_stories u
LEFT JOIN sources s USING (source_id)
LEFT JOIN incident_extractions e USING (article_id)
WHERE u.article_id > $after
  AND ($force OR e.article_id IS NULL OR e.extractor_version <> $version
       OR e.extracted_at < u.updated_at)
  AND CAST(u.published_at AS DATE) BETWEEN coalesce($since, DATE '0001-01-01')
                                       AND coalesce($until, DATE '9999-12-31')
ORDER BY u.article_id
LIMIT $limit
"""

# Rows of articles that are no longer unique stories (now a copy of another, or gone).
NO_LONGER_STORIES = "article_id NOT IN (SELECT article_id FROM unique_stories)"
RETRACT_COPIES = f"""
DELETE FROM incident_mentions
WHERE {NO_LONGER_STORIES}
RETURNING incident_id, event_date
"""

_CHANGED = " OR ".join(
    f't."{name}" IS DISTINCT FROM s."{name}"'
    for name in INCIDENTS_SCHEMA.names
    if name not in ("incident_id", "last_updated_run")
)
UPSERT_INCIDENTS = f"""
MERGE INTO incidents AS t USING _batch_incidents AS s ON t.incident_id = s.incident_id
WHEN MATCHED AND ({_CHANGED}) THEN UPDATE BY NAME
WHEN NOT MATCHED THEN INSERT BY NAME
"""

DROP_UNREPORTED = """
DELETE FROM incidents
WHERE incident_id IN (SELECT unnest($ids))
  AND incident_id NOT IN (SELECT incident_id FROM incident_mentions)
"""


def pending_articles(
    con: duckdb.DuckDBPyConnection,
    version: str,
    *,
    after: str = "",
    limit: int,
    force: bool = False,
    since: date | None = None,
    until: date | None = None,
) -> list[dict[str, Any]]:
    """The next ``limit`` articles due after ``after`` (by id), so a batch loop always ends.

    Fetched ``limit`` rows at most: DuckDB 2.0.1 drops this query's LIMIT once the tables'
    statistics change (its statistics propagation with filter pushdown), which would hand every
    due article to one batch.
    """
    cursor = con.execute(
        PENDING_ARTICLES,
        {"after": after, "force": force, "version": version, "since": since, "until": until,
         "limit": limit},
    )  # fmt: skip
    return _dicts(cursor, limit)


def has_pending_articles(con: duckdb.DuckDBPyConnection, version: str) -> bool:
    """Whether a summarize run has anything to read: one row of the same query, no more."""
    return bool(pending_articles(con, version, limit=1))


def summarize_due(con: duckdb.DuckDBPyConnection, version: str) -> bool:
    """Whether a summarize run would change anything: an article due for reading, or evidence
    from an article that is no longer a unique story. Each is one row's lookup."""
    if has_pending_articles(con, version):
        return True
    retracted = con.execute(
        f"SELECT EXISTS (SELECT 1 FROM incident_mentions WHERE {NO_LONGER_STORIES})"
    ).fetchone()
    return bool(retracted[0])


def retract_copies(con: duckdb.DuckDBPyConnection) -> dict[str, date]:
    """Drop the evidence of articles dedupe has since folded into another story.

    Returns the incidents affected with their day, to re-merge and re-summarise.
    """
    con.execute(f"DELETE FROM incident_extractions WHERE {NO_LONGER_STORIES}")
    return dict(con.execute(RETRACT_COPIES).fetchall())


def replace_mentions(
    con: duckdb.DuckDBPyConnection, article_ids: Sequence[str], rows: Sequence[dict[str, Any]]
) -> dict[str, date]:
    """Swap the mention rows of re-read articles; returns every incident whose evidence moved."""
    dropped = con.execute(
        "DELETE FROM incident_mentions WHERE article_id IN (SELECT unnest($ids)) "
        "RETURNING incident_id, event_date",
        {"ids": list(article_ids)},
    ).fetchall()
    append_rows(con, "incident_mentions", rows, MENTIONS_SCHEMA)
    return {**dict(dropped), **{row["incident_id"]: row["event_date"] for row in rows}}


def record_extractions(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    version: str,
    incidents_per_article: Mapping[str, int],
    failed: Iterable[str],
) -> None:
    """Remember who read which article, so the next run skips it until something changes."""
    now = datetime.now(UTC)
    read = [(article_id, count, False) for article_id, count in incidents_per_article.items()]
    rows = [
        {"article_id": article_id, "extractor_version": version, "run_id": run_id,
         "extracted_at": now, "incidents": count, "failed": raised}
        for article_id, count, raised in [*read, *((a, 0, True) for a in failed)]
    ]  # fmt: skip
    ids = [row["article_id"] for row in rows]
    con.execute(
        "DELETE FROM incident_extractions WHERE article_id IN (SELECT unnest($ids))", {"ids": ids}
    )
    append_rows(con, "incident_extractions", rows, EXTRACTIONS_SCHEMA)


# Rows about some incidents, per incident and earliest article first.
_OF_INCIDENTS = (
    "SELECT * FROM {relation} WHERE incident_id IN (SELECT unnest($ids)) "
    "ORDER BY incident_id, published_at, article_id{then}"
)
MENTIONS_OF = _OF_INCIDENTS.format(relation="incident_mentions", then="")
# Evidence under the outlet's name (``sources.name``), the source id when it is not configured.
EVIDENCE_OF = _OF_INCIDENTS.format(
    relation="(SELECT e.*, coalesce(s.name, e.source_id) AS source_name "
    "FROM incident_evidence e LEFT JOIN sources s USING (source_id))",
    then=", start_char",
)


def mentions_of(con: duckdb.DuckDBPyConnection, incident_ids: Iterable[str]) -> list[dict]:
    """Every stored mention of these incidents: what re-merging reads."""
    return _dicts(con.execute(MENTIONS_OF, {"ids": list(incident_ids)}))


def upsert_incidents(
    con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]], checked: Iterable[str]
) -> tuple[int, int]:
    """Write merged incidents; drop those of ``checked`` no mention supports any more.

    Returns (rows written or changed, rows dropped).
    """
    changed = 0
    if rows:
        con.register("_batch_incidents", pa.Table.from_pylist(list(rows), INCIDENTS_SCHEMA))
        try:
            changed = con.execute(UPSERT_INCIDENTS).fetchone()[0]
        finally:
            con.unregister("_batch_incidents")
    dropped = con.execute(DROP_UNREPORTED, {"ids": list(checked)}).fetchone()[0]
    return int(changed), int(dropped)


def _dicts(cursor: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall() if limit is None else cursor.fetchmany(limit)
    return [dict(zip(names, values, strict=True)) for values in rows]


DAILY_SUMMARY = """
INSERT INTO daily_summary
WITH scope AS (
    SELECT * FROM incidents WHERE event_date IN (SELECT unnest($days::DATE[]))
), places AS (
    SELECT event_date, country, admin1, event_type, location, count(*) AS n
    FROM scope WHERE location IS NOT NULL GROUP BY ALL
), tops AS (
    SELECT event_date, country, admin1, event_type,
           list(location ORDER BY n DESC, location)[1:3] AS top_locations
    FROM places GROUP BY ALL
), coverage AS (
    SELECT i.event_date, i.country, i.admin1, i.event_type,
           count(DISTINCT m.source_id) AS sources, count(DISTINCT m.article_id) AS articles
    FROM scope i JOIN incident_mentions m USING (incident_id) GROUP BY ALL
), totals AS (
    SELECT event_date, country, admin1, event_type,
           count(*) AS incidents,
           count(*) FILTER (WHERE coalesce(killed_best, killed_low, 0) > 0)
               AS incidents_with_fatalities,
           sum(killed_low) AS killed_low, sum(killed_best) AS killed_best,
           sum(killed_high) AS killed_high, sum(injured_low) AS injured_low,
           sum(injured_best) AS injured_best, sum(injured_high) AS injured_high,
           count(*) FILTER (WHERE time_precision > 1) AS imprecise_incidents,
           count(*) FILTER (WHERE claim_status IN ('denied', 'disputed')) AS contested
    FROM scope GROUP BY ALL
)
SELECT t.event_date AS day, t.country, t.admin1, t.event_type, t.incidents,
       t.imprecise_incidents, t.incidents_with_fatalities, t.killed_low, t.killed_best,
       t.killed_high, t.injured_low, t.injured_best, t.injured_high, t.contested,
       coalesce(c.sources, 0) AS sources, coalesce(c.articles, 0) AS articles,
       coalesce(p.top_locations, []) AS top_locations
FROM totals t
LEFT JOIN coverage c ON c.event_date = t.event_date AND c.event_type = t.event_type
     AND c.country IS NOT DISTINCT FROM t.country AND c.admin1 IS NOT DISTINCT FROM t.admin1
LEFT JOIN tops p ON p.event_date = t.event_date AND p.event_type = t.event_type
     AND p.country IS NOT DISTINCT FROM t.country AND p.admin1 IS NOT DISTINCT FROM t.admin1
"""


def rebuild_daily_summary(con: duckdb.DuckDBPyConnection, days: Iterable[date]) -> int:
    """Recompute the summary rows of ``days`` from the incidents; returns the rows written."""
    days = sorted(set(days))
    if not days:
        return 0
    con.execute(
        "DELETE FROM daily_summary WHERE day IN (SELECT unnest($days::DATE[]))", {"days": days}
    )
    return int(con.execute(DAILY_SUMMARY, {"days": days}).fetchone()[0])


INCIDENTS_BETWEEN = """
SELECT * FROM incidents WHERE event_date BETWEEN $since AND $until
ORDER BY event_date DESC, killed_best DESC NULLS LAST, country, admin1, location, incident_id
"""


def incidents_on(con: duckdb.DuckDBPyConnection, day: date) -> list[dict[str, Any]]:
    """The day's incidents, deadliest first, then by place."""
    return incidents_between(con, day, day)


def incidents_between(con: duckdb.DuckDBPyConnection, since: date, until: date) -> list[dict]:
    """The incidents of ``since``..``until`` (both included): latest day first, then deadliest."""
    return _dicts(con.execute(INCIDENTS_BETWEEN, {"since": since, "until": until}))


def latest_event_date(con: duckdb.DuckDBPyConnection) -> date | None:
    """The last day any incident happened on, None before the first summarize."""
    return con.execute("SELECT max(event_date) FROM incidents").fetchone()[0]


def evidence_of(con: duckdb.DuckDBPyConnection, incident_ids: Iterable[str]) -> list[dict]:
    """The sentences behind these incidents, in the order they appear in each article."""
    return _dicts(con.execute(EVIDENCE_OF, {"ids": list(incident_ids)}))
