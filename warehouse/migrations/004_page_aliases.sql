-- Every URL a page was requested under. raw_pages keeps one requested_url per final URL, so
-- when two listed URLs redirect to one page the other was never known and was fetched again
-- on every run (warehouse/loads.py: known_urls).
CREATE TABLE page_aliases (
    requested_url  VARCHAR PRIMARY KEY,
    url            VARCHAR NOT NULL              -- raw_pages.url it led to
);

-- A URL that led to different pages over time is known by where it led last.
INSERT INTO page_aliases
SELECT requested_url, arg_max(url, fetched_at) FROM raw_pages
WHERE requested_url IS NOT NULL GROUP BY requested_url;
