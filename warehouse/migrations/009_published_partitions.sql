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

COMMENT ON TABLE published_partitions IS 'The publish ledger: per publish (generation), the Parquet file holding each partition of each table, with its row count and fingerprint.';
COMMENT ON COLUMN published_partitions.generation IS 'One publish; zero-padded nanoseconds, so it sorts by time.';
COMMENT ON COLUMN published_partitions.published_at IS 'When that publish recorded its files (UTC).';
COMMENT ON COLUMN published_partitions.table_name IS 'The working-database table the file holds rows of.';
COMMENT ON COLUMN published_partitions.part IS 'The UTC day (YYYY-MM-DD) of the table''s day column, ''none'' for rows without one, ''all'' for a one-file table.';
COMMENT ON COLUMN published_partitions.file IS 'Path relative to the snapshot''s parts folder (<snapshot>.parts).';
COMMENT ON COLUMN published_partitions.row_count IS 'Rows in the file.';
COMMENT ON COLUMN published_partitions.fingerprint IS 'XOR of the hashes of the rows (large blobs left out); a partition is rewritten when it or row_count changes.';
