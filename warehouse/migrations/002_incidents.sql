-- Incidents: the events articles report, the evidence for each, and the daily summaries.
--
-- incident_mentions holds what each article said (one row per incident x article, with its
-- sentences); incidents holds one row per event, merged from its mentions by the documented
-- rules in tasks/incidents/merge.py; daily_summary is rebuilt from incidents for every day a
-- run touches. Casualty figures: NULL = not reported, 0 = reported none.

-- ACLED's event vocabulary; must equal tasks.incidents.model.EVENT_TYPES (a test checks).
CREATE TABLE event_types (
    event_type      VARCHAR NOT NULL,
    sub_event_type  VARCHAR NOT NULL,
    PRIMARY KEY (event_type, sub_event_type)
);

INSERT INTO event_types VALUES
    ('Battles', 'Armed clash'),
    ('Battles', 'Government regains territory'),
    ('Battles', 'Non-state actor overtakes territory'),
    ('Explosions/Remote violence', 'Shelling/artillery/missile attack'),
    ('Explosions/Remote violence', 'Air/drone strike'),
    ('Explosions/Remote violence', 'Remote explosive/landmine/IED'),
    ('Explosions/Remote violence', 'Suicide bomb'),
    ('Explosions/Remote violence', 'Grenade'),
    ('Explosions/Remote violence', 'Chemical weapon'),
    ('Violence against civilians', 'Attack'),
    ('Violence against civilians', 'Abduction/forced disappearance'),
    ('Violence against civilians', 'Sexual violence'),
    ('Protests', 'Peaceful protest'),
    ('Protests', 'Protest with intervention'),
    ('Protests', 'Excessive force against protesters'),
    ('Riots', 'Violent demonstration'),
    ('Riots', 'Mob violence'),
    ('Strategic developments', 'Agreement'),
    ('Strategic developments', 'Arrests'),
    ('Strategic developments', 'Change to group/activity'),
    ('Strategic developments', 'Disrupted weapons use'),
    ('Strategic developments', 'Headquarters or base established'),
    ('Strategic developments', 'Looting/property destruction'),
    ('Strategic developments', 'Non-violent transfer of territory'),
    ('Strategic developments', 'Other');

-- One row per event. incident_id = first 16 hex of sha1(incident_key), stable across runs.
CREATE TABLE incidents (
    incident_id         VARCHAR PRIMARY KEY,
    incident_key        VARCHAR NOT NULL UNIQUE,  -- type|sub type|geonameid or place|day
    event_date          DATE NOT NULL,
    date_start          DATE NOT NULL,
    date_end            DATE NOT NULL,
    time_precision      INTEGER NOT NULL CHECK (time_precision IN (1, 2, 3)),
    date_basis          VARCHAR,
    event_type          VARCHAR NOT NULL,
    sub_event_type      VARCHAR NOT NULL,
    location            VARCHAR,
    admin1              VARCHAR,
    country             VARCHAR CHECK (regexp_full_match(country, '[A-Z]{3}')),
    latitude            DOUBLE CHECK (latitude BETWEEN -90 AND 90),
    longitude           DOUBLE CHECK (longitude BETWEEN -180 AND 180),
    geonameid           BIGINT,
    geo_precision       INTEGER CHECK (geo_precision IN (1, 2, 3)),
    actor1              VARCHAR,
    actor2              VARCHAR,
    killed_low          INTEGER CHECK (killed_low >= 0),
    killed_best         INTEGER CHECK (killed_best >= killed_low),
    killed_high         INTEGER CHECK (killed_high >= killed_best AND killed_high >= killed_low),
    injured_low         INTEGER CHECK (injured_low >= 0),
    injured_best        INTEGER CHECK (injured_best >= injured_low),
    injured_high        INTEGER CHECK (injured_high >= injured_best AND injured_high >= injured_low),
    civilian_killed     BOOLEAN,
    claim_status        VARCHAR NOT NULL
                        CHECK (claim_status IN ('reported', 'claimed', 'denied', 'disputed')),
    claimed_by          VARCHAR,
    denied_by           VARCHAR,
    claimed_by_actor1   BOOLEAN NOT NULL DEFAULT false,  -- a side claiming its own strike
    num_articles        INTEGER NOT NULL CHECK (num_articles >= 1),
    num_sources         INTEGER NOT NULL CHECK (num_sources BETWEEN 1 AND num_articles),
    first_reported_at   TIMESTAMPTZ NOT NULL,
    last_updated_run    VARCHAR NOT NULL,
    CHECK (date_start <= event_date AND event_date <= date_end),
    FOREIGN KEY (event_type, sub_event_type) REFERENCES event_types (event_type, sub_event_type)
);

-- What one article reported about one incident: its own coding, figures and sentences.
-- The coding columns (event_date .. denied_by) are those of incidents with the same CHECKs, so
-- any set of valid mentions merges into a valid incident (a test compares the two tables).
CREATE TABLE incident_mentions (
    incident_id         VARCHAR NOT NULL,
    article_id          VARCHAR NOT NULL,
    url                 VARCHAR NOT NULL,
    source_id           VARCHAR NOT NULL,
    published_at        TIMESTAMPTZ NOT NULL,
    run_id              VARCHAR NOT NULL,         -- the run that extracted it
    extractor_version   VARCHAR NOT NULL,
    event_date          DATE NOT NULL,
    date_start          DATE NOT NULL,
    date_end            DATE NOT NULL,
    time_precision      INTEGER NOT NULL CHECK (time_precision IN (1, 2, 3)),
    date_basis          VARCHAR,
    event_type          VARCHAR NOT NULL,
    sub_event_type      VARCHAR NOT NULL,
    location            VARCHAR,
    admin1              VARCHAR,
    country             VARCHAR CHECK (regexp_full_match(country, '[A-Z]{3}')),
    latitude            DOUBLE CHECK (latitude BETWEEN -90 AND 90),
    longitude           DOUBLE CHECK (longitude BETWEEN -180 AND 180),
    geonameid           BIGINT,
    geo_precision       INTEGER CHECK (geo_precision IN (1, 2, 3)),
    actor1              VARCHAR,
    actor2              VARCHAR,
    killed_low          INTEGER CHECK (killed_low >= 0),
    killed_best         INTEGER CHECK (killed_best >= killed_low),
    killed_high         INTEGER CHECK (killed_high >= killed_best AND killed_high >= killed_low),
    injured_low         INTEGER CHECK (injured_low >= 0),
    injured_best        INTEGER CHECK (injured_best >= injured_low),
    injured_high        INTEGER CHECK (injured_high >= injured_best AND injured_high >= injured_low),
    civilian_killed     BOOLEAN,
    claim_status        VARCHAR NOT NULL
                        CHECK (claim_status IN ('reported', 'claimed', 'denied', 'disputed')),
    claimed_by          VARCHAR,
    denied_by           VARCHAR,
    claimed_by_actor1   BOOLEAN NOT NULL DEFAULT false,  -- a side claiming its own strike
    -- The sentences of the article body that report it, with offsets and each one's figures.
    sentences           STRUCT(sentence VARCHAR, start_char INTEGER, end_char INTEGER,
                               killed_low INTEGER, killed_best INTEGER, killed_high INTEGER,
                               injured_low INTEGER, injured_best INTEGER,
                               injured_high INTEGER)[] NOT NULL,
    CHECK (date_start <= event_date AND event_date <= date_end),
    PRIMARY KEY (incident_id, article_id),
    FOREIGN KEY (event_type, sub_event_type) REFERENCES event_types (event_type, sub_event_type)
);

-- Which article was read by which extractor version: a re-run reads only what is new or changed.
CREATE TABLE incident_extractions (
    article_id          VARCHAR PRIMARY KEY,
    extractor_version   VARCHAR NOT NULL,
    run_id              VARCHAR NOT NULL,
    extracted_at        TIMESTAMPTZ NOT NULL,
    incidents           INTEGER NOT NULL,          -- incidents the article reported
    failed              BOOLEAN NOT NULL           -- extraction raised; see rejects (stage incidents)
);

-- Day x country x admin1 x event type, rebuilt from incidents for every day a run touches.
-- country/admin1 are NULL when the place is not known to that level.
CREATE TABLE daily_summary (
    day                         DATE NOT NULL,
    country                     VARCHAR,
    admin1                      VARCHAR,
    event_type                  VARCHAR NOT NULL,
    incidents                   INTEGER NOT NULL,
    imprecise_incidents         INTEGER NOT NULL,  -- of them, dated only to a week or month
                                                   -- (time_precision 2, 3): exclude for daily work
    incidents_with_fatalities   INTEGER NOT NULL,
    killed_low                  BIGINT,            -- sums; NULL when no incident gave a figure
    killed_best                 BIGINT,
    killed_high                 BIGINT,
    injured_low                 BIGINT,
    injured_best                BIGINT,
    injured_high                BIGINT,
    contested                   INTEGER NOT NULL,  -- claim_status denied or disputed
    sources                     INTEGER NOT NULL,  -- distinct sources over the group's mentions
    articles                    INTEGER NOT NULL,
    top_locations               VARCHAR[] NOT NULL  -- up to 3, most incidents first
);

-- One row per evidence sentence: every figure in incidents traced to the words that gave it.
CREATE VIEW incident_evidence AS
SELECT m.incident_id, m.article_id, m.url, m.source_id, m.published_at,
       s.sentence.sentence AS sentence, s.sentence.start_char AS start_char,
       s.sentence.end_char AS end_char,
       s.sentence.killed_low AS killed_low, s.sentence.killed_best AS killed_best,
       s.sentence.killed_high AS killed_high, s.sentence.injured_low AS injured_low,
       s.sentence.injured_best AS injured_best, s.sentence.injured_high AS injured_high
FROM incident_mentions m, unnest(m.sentences) AS s(sentence);
