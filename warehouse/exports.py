"""What analysts take away: incidents, articles and daily summaries as relations to write out.

Everything here reads the published snapshot (``warehouse.session.reader``), so an export never
waits for or blocks a run. Three datasets, one filter (days, country, admin1, event type):

- ``incidents``: every column of ``incidents``, plus ``country_name``, ``sources`` (the outlets
  that reported it, first reporter first, joined by "; ") and ``evidence`` (each distinct
  sentence behind it, in the order the articles printed them, joined by a space).
- ``incidents`` in the ACLED profile: the columns ACLED's export has, under ACLED's names
  (``docs/codebook.md`` gives the mapping); what we do not code is NULL, never guessed.
- ``articles``: every column of ``articles`` with the outlet name and, for a copy, the story it
  copies; the incident filters keep articles that report a matching incident.
- ``daily``: ``daily_summary`` with ``country_name``.

An outlet is its source's name, except for an ``archive`` source (a folder of pages saved from
many sites), whose outlet is the host of each article's URL.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum

import duckdb
import pyarrow as pa

from tasks.report.countries import country_names


class Dataset(StrEnum):
    """What can be exported."""

    INCIDENTS = "incidents"
    ARTICLES = "articles"
    DAILY = "daily"


@dataclass(frozen=True)
class IncidentFilter:
    """Which rows to keep; a field left None keeps everything.

    ``since``/``until`` are the event day (incidents), the publication day (articles) or the
    summary day (daily); ``country`` is an ISO3 code; ``admin1`` matches in any case.
    """

    since: date | None = None
    until: date | None = None
    country: str | None = None
    admin1: str | None = None
    event_type: str | None = None
    sub_event_type: str | None = None


# An incident ``i`` the place and type filters keep.
_INCIDENT_MATCHES = """
    ($country IS NULL OR i.country = $country)
    AND ($admin1 IS NULL OR lower(i.admin1) = lower($admin1))
    AND ($event_type IS NULL OR i.event_type = $event_type)
    AND ($sub_event_type IS NULL OR i.sub_event_type = $sub_event_type)
"""
_WITHIN = "BETWEEN coalesce($since, DATE '0001-01-01') AND coalesce($until, DATE '9999-12-31')"


def _outlet(row: str) -> str:
    """The outlet of ``row`` (a table alias with ``url`` and ``source_id``), sources as ``s``."""
    return f"""CASE WHEN s.kind = 'archive'
        THEN regexp_extract({row}.url, '^[a-z]+://(?:www\\.)?([^/:?#]+)', 1)
        ELSE coalesce(s.name, {row}.source_id) END"""


_PICKED_INCIDENTS = f"""
WITH picked AS (
    SELECT i.* FROM incidents i WHERE i.event_date {_WITHIN} AND {_INCIDENT_MATCHES}
), evidence AS (
    SELECT incident_id, string_agg(sentence, ' ' ORDER BY first_printed) AS evidence
    FROM (SELECT incident_id, sentence, min((published_at, article_id, start_char)) AS first_printed
          FROM incident_evidence WHERE incident_id IN (SELECT incident_id FROM picked) GROUP BY ALL)
    GROUP BY incident_id
), outlets AS (
    SELECT incident_id, string_agg(outlet, '; ' ORDER BY first_reported) AS sources
    FROM (SELECT m.incident_id, {_outlet("m")} AS outlet,
                 min((m.published_at, m.article_id)) AS first_reported
          FROM incident_mentions m LEFT JOIN sources s USING (source_id)
          WHERE m.incident_id IN (SELECT incident_id FROM picked) GROUP BY ALL)
    GROUP BY incident_id
)
"""
_INCIDENT_ORDER = "ORDER BY i.event_date, i.country, i.admin1, i.location, i.incident_id"

INCIDENTS = f"""{_PICKED_INCIDENTS}
SELECT i.*, n.name AS country_name, o.sources, e.evidence
FROM picked i
LEFT JOIN _country_names n ON n.iso3 = i.country
LEFT JOIN outlets o USING (incident_id) LEFT JOIN evidence e USING (incident_id)
{_INCIDENT_ORDER}
"""

# ACLED's columns, in ACLED's order. disorder_type follows ACLED's codebook: Protests and
# violent demonstrations are Demonstrations, excessive force against protesters is both, mob
# violence and the violent event types are Political violence. civilian_targeting is set only
# where ACLED's definitions make it so (every Violence against civilians event, excessive force
# against protesters); elsewhere we cannot tell, so it stays NULL. fatalities is the most
# conservative figure any article gave, as ACLED codes (NULL: no article gave one).
ACLED_INCIDENTS = f"""{_PICKED_INCIDENTS}
SELECT i.incident_id, i.event_date, i.time_precision,
       CASE WHEN i.sub_event_type = 'Excessive force against protesters'
                THEN 'Political violence; Demonstrations'
            WHEN i.event_type = 'Protests' OR i.sub_event_type = 'Violent demonstration'
                THEN 'Demonstrations'
            WHEN i.event_type = 'Strategic developments' THEN 'Strategic developments'
            ELSE 'Political violence' END AS disorder_type,
       i.event_type, i.sub_event_type,
       i.actor1, NULL::INTEGER AS inter1, i.actor2, NULL::INTEGER AS inter2,
       NULL::INTEGER AS interaction,
       CASE WHEN i.event_type = 'Violence against civilians'
                 OR i.sub_event_type = 'Excessive force against protesters'
            THEN 'Civilian targeting' END AS civilian_targeting,
       n.name AS country, i.admin1, NULL::VARCHAR AS admin2, i.location,
       i.latitude, i.longitude, i.geo_precision,
       o.sources AS source, NULL::VARCHAR AS source_scale, e.evidence AS notes,
       coalesce(i.killed_low, i.killed_best) AS fatalities, i.country AS iso3
FROM picked i
LEFT JOIN _country_names n ON n.iso3 = i.country
LEFT JOIN outlets o USING (incident_id) LEFT JOIN evidence e USING (incident_id)
{_INCIDENT_ORDER}
"""

ARTICLES = f"""
SELECT a.*, {_outlet("a")} AS source_name,
       d.canonical_article_id AS copy_of, d.method AS copy_method
FROM articles a
LEFT JOIN sources s USING (source_id)
LEFT JOIN article_duplicates d
       ON d.member_article_id = a.article_id AND d.method IN ('exact', 'near')
WHERE CAST(a.published_at AS DATE) {_WITHIN}
  AND (($country IS NULL AND $admin1 IS NULL AND $event_type IS NULL
        AND $sub_event_type IS NULL)
       OR a.article_id IN (SELECT m.article_id FROM incident_mentions m
                           JOIN incidents i USING (incident_id) WHERE {_INCIDENT_MATCHES}))
ORDER BY a.published_at, a.article_id
"""

DAILY = f"""
SELECT d.*, n.name AS country_name
FROM daily_summary d LEFT JOIN _country_names n ON n.iso3 = d.country
WHERE d.day {_WITHIN}
  AND ($country IS NULL OR d.country = $country)
  AND ($admin1 IS NULL OR lower(d.admin1) = lower($admin1))
  AND ($event_type IS NULL OR d.event_type = $event_type)
  AND $sub_event_type IS NULL
ORDER BY d.day, d.country, d.admin1, d.event_type
"""


class SubEventTypeNotSummarised(ValueError):
    """``daily_summary`` is per event type: a sub-event type cannot select its rows."""


def export_relation(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    keep: IncidentFilter,
    *,
    acled: bool = False,
) -> duckdb.DuckDBPyRelation:
    """The rows of ``dataset`` that ``keep`` selects, ready to write in any format."""
    if dataset is Dataset.DAILY and keep.sub_event_type is not None:
        raise SubEventTypeNotSummarised(
            f"daily summaries are per event type; {keep.sub_event_type!r} is a sub-event type"
        )
    if acled and dataset is not Dataset.INCIDENTS:
        raise ValueError("the ACLED profile is a profile of incidents")
    register_country_names(con)
    sql = {
        Dataset.INCIDENTS: ACLED_INCIDENTS if acled else INCIDENTS,
        Dataset.ARTICLES: ARTICLES,
        Dataset.DAILY: DAILY,
    }[dataset]
    return con.sql(sql, params=asdict(keep))


def register_country_names(con: duckdb.DuckDBPyConnection) -> None:
    """``_country_names(iso3, name)`` on this connection (a view of Arrow data: read-only safe)."""
    names = country_names()
    table = pa.table({"iso3": list(names), "name": list(names.values())})
    con.register("_country_names", table)
