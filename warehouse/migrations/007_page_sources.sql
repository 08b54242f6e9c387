-- Which sources listed each URL. A URL is fetched once however many sources list it, and
-- raw_pages.source_id names only the source that stored it first, so without this table the
-- other sources that list a page leave no trace. Written idempotently so a re-run is harmless.
CREATE TABLE IF NOT EXISTS page_sources (
    url            VARCHAR NOT NULL,         -- as the source listed it; page_aliases leads on
    source_id      VARCHAR NOT NULL,
    first_run_id   VARCHAR NOT NULL,
    first_seen_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (url, source_id)
);

-- Pages stored before this table existed were listed by the source that stored them, under
-- every URL they were requested by.
INSERT INTO page_sources
SELECT url, source_id, arg_min(run_id, fetched_at), min(fetched_at)
FROM (
    SELECT url, source_id, run_id, fetched_at FROM raw_pages
    UNION ALL
    SELECT a.requested_url, p.source_id, p.run_id, p.fetched_at
    FROM page_aliases a JOIN raw_pages p USING (url)
)
GROUP BY url, source_id
ON CONFLICT DO NOTHING;
