-- The warehouse holds one row per listing as its marketplace knows it, so (marketplace, sku) is the key: a retried
-- or repeated load upserts onto the same rows instead of adding copies of them.
-- The key columns compare bytewise (COLLATE "C"): skus are opaque identifiers, and a load sorts and matches
-- millions of them, which the database's linguistic collation makes measurably slower for no benefit.
CREATE TABLE warehouse_listings (
    marketplace   text        COLLATE "C" NOT NULL,
    sku           text        COLLATE "C" NOT NULL,
    category      text        NOT NULL,
    region        text,
    -- Nullable: whether a listing must have these is the rule set's decision, made before the load.
    title         text,
    -- Unconstrained numeric keeps the scale the file had (12.50 stays 12.50); no rounding at load time.
    price         numeric,
    quantity      bigint,
    -- The job that last changed the row; a load that finds the row identical leaves it (and this) alone.
    source_job_id text        NOT NULL,
    -- First arrival; updated_at moves only when a load actually changes the row, so "changed since" is a query.
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- Written by a later enrichment job, never by a listing load, so the upsert does not touch it.
    enrichment    jsonb,
    PRIMARY KEY (marketplace, sku)
);

CREATE INDEX warehouse_listings_category_idx ON warehouse_listings (marketplace, category);
-- What did this job write? Answered by the job's report and, for audits, by this index.
CREATE INDEX warehouse_listings_source_job_idx ON warehouse_listings (source_job_id);
