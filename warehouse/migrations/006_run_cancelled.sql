-- A run stopped by a signal (systemctl stop, a container stop, Ctrl-C) is recorded 'cancelled'.
-- DuckDB cannot change a CHECK constraint in place, so pipeline_runs is rebuilt with its rows
-- (nothing references it: no foreign key, no view). The migration runs in one transaction.
CREATE TABLE pipeline_runs_006 (
    run_id       VARCHAR PRIMARY KEY,
    flow         VARCHAR NOT NULL,
    parameters   JSON,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    status       VARCHAR NOT NULL CHECK (status IN
                 ('running', 'completed', 'partially_failed', 'failed', 'crashed', 'cancelled')),
    counts       JSON,
    error        VARCHAR
);
INSERT INTO pipeline_runs_006
SELECT run_id, flow, parameters, started_at, finished_at, status, counts, error FROM pipeline_runs;
DROP TABLE pipeline_runs;
ALTER TABLE pipeline_runs_006 RENAME TO pipeline_runs;
