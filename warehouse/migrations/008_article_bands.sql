-- Near-duplicate search lives in the database (tasks/dedupe/minhash.py: band_keys): one row per
-- LSH band of each article's MinHash, so a batch finds its candidates by a join and a run loads
-- nothing up front. minhash_scheme names the hashing and banding the stored signatures and bands
-- were made with. When it differs from the code's (as it does for every database older than this
-- migration: their signatures are datasketch's 8-byte values), the next run drops them and
-- fingerprints every stored article again from its body (warehouse/near_duplicates.py).
CREATE TABLE article_bands (
    band_key    BIGINT NOT NULL,
    article_id  VARCHAR NOT NULL
);

CREATE TABLE minhash_scheme (
    scheme      VARCHAR NOT NULL   -- hashing; permutations; bands x rows
);
