-- Ingest: sources, every request, raw pages, articles, duplicates, rejects, runs.

CREATE TABLE sources (
    source_id   VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL CHECK (kind IN ('feed', 'sitemap', 'html_index', 'archive')),
    location    VARCHAR NOT NULL,            -- url, or folder for archives
    timezone    VARCHAR NOT NULL,
    enabled     BOOLEAN NOT NULL,
    settings    JSON NOT NULL,               -- the full validated entry
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE pipeline_runs (
    run_id       VARCHAR PRIMARY KEY,
    flow         VARCHAR NOT NULL,
    parameters   JSON,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    status       VARCHAR NOT NULL CHECK (status IN
                 ('running', 'completed', 'partially_failed', 'failed', 'crashed')),
    counts       JSON,
    error        VARCHAR
);

CREATE TABLE fetches (
    run_id      VARCHAR NOT NULL,
    source_id   VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    status      INTEGER,                     -- NULL: no response (timeout, refused, robots)
    bytes       BIGINT NOT NULL,
    elapsed_ms  DOUBLE NOT NULL,
    attempts    INTEGER NOT NULL,
    error       VARCHAR,
    fetched_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE http_validators (
    url            VARCHAR PRIMARY KEY,
    etag           VARCHAR,
    last_modified  VARCHAR,
    updated_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE raw_pages (
    url            VARCHAR PRIMARY KEY,      -- final URL after redirects
    requested_url  VARCHAR,
    source_id      VARCHAR NOT NULL,
    status         INTEGER NOT NULL,
    headers        JSON,
    body_zlib      BLOB NOT NULL,            -- zlib-compressed bytes as received
    body_sha256    VARCHAR NOT NULL,
    bytes          BIGINT NOT NULL,
    listed_date    VARCHAR,
    listed_title   VARCHAR,
    fetched_at     TIMESTAMPTZ NOT NULL,
    run_id         VARCHAR NOT NULL,
    processed_at   TIMESTAMPTZ              -- NULL until cleaned: a crashed run's pages stay due
);

CREATE TABLE articles (
    article_id            VARCHAR PRIMARY KEY,    -- sha1 of canonical_url, 16 hex
    canonical_url         VARCHAR NOT NULL UNIQUE,
    url                   VARCHAR NOT NULL,       -- the raw page it was cleaned from
    source_id             VARCHAR NOT NULL,
    run_id                VARCHAR NOT NULL,       -- last run that wrote it
    title                 VARCHAR,
    body                  VARCHAR NOT NULL,
    byline                VARCHAR,
    language              VARCHAR,
    published_at          TIMESTAMPTZ NOT NULL,
    published_at_source   VARCHAR NOT NULL,       -- json_ld | meta | time | url | dateline | listed | fetch
    published_at_raw      VARCHAR,
    published_is_fallback BOOLEAN NOT NULL,
    word_count            INTEGER NOT NULL,
    content_hash          VARCHAR NOT NULL,       -- sha256 of the normalised body
    first_seen_at         TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);

CREATE TABLE article_minhash (
    article_id  VARCHAR PRIMARY KEY,
    signature   BLOB NOT NULL                  -- uint64 little-endian MinHash values
);

CREATE TABLE article_duplicates (
    member_url            VARCHAR PRIMARY KEY,  -- the duplicate as it was found
    member_article_id     VARCHAR,              -- NULL when the member is only a URL variant
    canonical_article_id  VARCHAR NOT NULL,
    method                VARCHAR NOT NULL CHECK (method IN ('url', 'exact', 'near')),
    similarity            DOUBLE NOT NULL,
    run_id                VARCHAR NOT NULL,
    detected_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE rejects (
    reject_id      VARCHAR PRIMARY KEY,        -- hash of stage, reason, source, url
    stage          VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL,
    source_id      VARCHAR,
    url            VARCHAR,
    detail         VARCHAR,
    first_run_id   VARCHAR NOT NULL,
    last_run_id    VARCHAR NOT NULL,
    first_seen_at  TIMESTAMPTZ NOT NULL,
    last_seen_at   TIMESTAMPTZ NOT NULL,
    occurrences    INTEGER NOT NULL
);

-- One row per story: articles that are neither an exact nor a near copy of another.
CREATE VIEW unique_stories AS
SELECT a.*,
       (SELECT count(*) FROM article_duplicates d
         WHERE d.canonical_article_id = a.article_id AND d.method <> 'url') AS copies
FROM articles a
WHERE a.article_id NOT IN (
    SELECT member_article_id FROM article_duplicates
    WHERE member_article_id IS NOT NULL AND method IN ('exact', 'near'));
