-- The publish ledger: which Parquet file holds each partition of each table, per publish
-- (warehouse/snapshot.py). A publish rewrites only the partitions whose fingerprint (row count
-- and XOR of row hashes) differs from the last publish recorded here; files no recorded
-- publish still names are deleted once their publish is old enough.
CREATE TABLE published_partitions (
    generation    VARCHAR NOT NULL,          -- one publish; sorts by time
    published_at  TIMESTAMPTZ NOT NULL,
    table_name    VARCHAR NOT NULL,
    part          VARCHAR NOT NULL,          -- YYYY-MM-DD, 'none' (no day) or 'all' (one file)
    file          VARCHAR NOT NULL,          -- relative to the snapshot's parts folder
    row_count     BIGINT NOT NULL,
    fingerprint   UBIGINT NOT NULL,
    PRIMARY KEY (generation, table_name, part)
);
