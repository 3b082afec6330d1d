-- The warehouse is per tenant: a listing is (tenant_id, marketplace, sku), so one tenant's load can neither
-- overwrite nor even see another tenant's row for the same marketplace and sku. Before this, the key was
-- (marketplace, sku) and the last tenant to load a sku owned the row.
--
-- Every row already there was loaded without a tenant; it is kept, under the tenant 'default' (the jobs table's
-- default tenant). ADD COLUMN with a constant default does not rewrite the table; the default is then dropped, so
-- from here on every writer must name the tenant: a statement that forgets it fails (NOT NULL) instead of quietly
-- writing into 'default'. COLLATE "C" like the other key columns: compared bytewise, sorted fast.
ALTER TABLE warehouse_listings ADD COLUMN tenant_id text COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE warehouse_listings ALTER COLUMN tenant_id DROP DEFAULT;

-- The key, replaced rather than added to: the merge joins and updates on (tenant_id, marketplace, sku), a first
-- load asks whether (tenant_id, marketplace) has rows, and both use this index's prefix. The old
-- (marketplace, sku) key would be one more index for every loaded row to maintain, for no query.
ALTER TABLE warehouse_listings DROP CONSTRAINT warehouse_listings_pkey;
ALTER TABLE warehouse_listings ADD CONSTRAINT warehouse_listings_pkey PRIMARY KEY (tenant_id, marketplace, sku);

-- Listing a marketplace's category (the enrich job) is now within a tenant: the same index with the tenant in
-- front, instead of it. The source_job_id index stays as it is: job ids are unique across tenants.
DROP INDEX warehouse_listings_category_idx;
CREATE INDEX warehouse_listings_category_idx ON warehouse_listings (tenant_id, marketplace, category);
