-- The page's own clock beside the UTC instant. published_at stays UTC (one timeline for every
-- source); a story is filed under the day its readers saw, which a UTC day moves for anything
-- published near local midnight (00:30 in Kyiv is the previous day in UTC).
ALTER TABLE articles ADD COLUMN published_tz_offset SMALLINT;  -- minutes east of UTC; NULL unknown
ALTER TABLE articles ADD COLUMN published_local_date DATE;     -- the publication day as the page shows it

-- Rows dated before this column existed keep the day they were grouped by until reprocessed
-- (`newsdesk reprocess` recomputes both from the stored page).
UPDATE articles SET published_local_date = CAST(timezone('UTC', published_at) AS DATE);

-- A view keeps the columns it had when it was made: make it again so it has the two new ones.
CREATE OR REPLACE VIEW unique_stories AS
SELECT a.*,
       (SELECT count(*) FROM article_duplicates d
         WHERE d.canonical_article_id = a.article_id AND d.method <> 'url') AS copies
FROM articles a
WHERE a.article_id NOT IN (
    SELECT member_article_id FROM article_duplicates
    WHERE member_article_id IS NOT NULL AND method IN ('exact', 'near'));
