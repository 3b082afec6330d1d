-- The warehouse becomes a tree of partitions, so that a tenant's first load into a marketplace can be built as a
-- table of its own and attached whole (issue 15): COPY into a table with no indexes, build its indexes after (a sort
-- each, instead of one random b-tree insert per row and index), then ATTACH PARTITION, one short lock at the end.
--
--   warehouse_listings                     PARTITION BY LIST (tenant_id)
--     warehouse_listings_default           DEFAULT: every row there was before this, and any tenant without a
--                                          partition of its own; loads merge into it exactly as before
--     warehouse_listings_t_<hash>          one tenant, PARTITION BY LIST (marketplace), made by its first attach
--       warehouse_listings_t_<hash>_default   that tenant's marketplaces without a partition (normally empty)
--       warehouse_listings_p_<hash>        one (tenant, marketplace): built and attached by its first load
--
-- Partitioned by tenant, then marketplace, not by marketplace alone: marketplaces are shared by tenants, so a
-- per-marketplace partition would be new only for the first tenant that loads there, and every later tenant's
-- first load would pay index maintenance row by row again. warehouse.WarehousePartitions makes the partitions.
--
-- The rows are kept where they are: the old table becomes the default partition (a rename, no copy), its indexes
-- become the partitions of the new table's indexes (same columns, so ATTACH takes them as they are). The column
-- order is the old table's (tenant_id last, as V8 added it), so SELECT * reads as before.
ALTER TABLE warehouse_listings RENAME TO warehouse_listings_default;
ALTER TABLE warehouse_listings_default RENAME CONSTRAINT warehouse_listings_pkey TO warehouse_listings_default_pkey;
ALTER INDEX warehouse_listings_category_idx RENAME TO warehouse_listings_default_category_idx;
ALTER INDEX warehouse_listings_source_job_idx RENAME TO warehouse_listings_default_source_job_idx;

CREATE TABLE warehouse_listings (
    marketplace   text        COLLATE "C" NOT NULL,
    sku           text        COLLATE "C" NOT NULL,
    category      text        NOT NULL,
    region        text,
    title         text,
    price         numeric,
    quantity      bigint,
    source_job_id text        NOT NULL,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    enrichment    jsonb,
    tenant_id     text        COLLATE "C" NOT NULL,
    CONSTRAINT warehouse_listings_pkey PRIMARY KEY (tenant_id, marketplace, sku)
) PARTITION BY LIST (tenant_id);

CREATE INDEX warehouse_listings_category_idx ON warehouse_listings (tenant_id, marketplace, category);
CREATE INDEX warehouse_listings_source_job_idx ON warehouse_listings (source_job_id);

ALTER TABLE warehouse_listings ATTACH PARTITION warehouse_listings_default DEFAULT;
