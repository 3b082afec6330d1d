-- The tables that validations build for the loads they chain (issue 15, overlapping validation and load): while a
-- big file is validated, its valid rows stream by COPY into a table of their own, outside the warehouse's tree; when
-- the validation ends with rows to load, the table gets its indexes and is committed, unattached, with a row here in
-- the same transaction. The chained warehouse_load attaches it (warehouse.WarehouseBuilds) in one short transaction
-- that deletes the row. A build that no job will attach (its chain ended otherwise) is dropped by the data retention
-- pass, at start-up and every period. Nothing reads these tables through warehouse_listings until they are attached.
CREATE TABLE warehouse_builds (
    table_name        text        PRIMARY KEY,
    validation_job_id text        NOT NULL UNIQUE,
    tenant_id         text        NOT NULL,
    marketplace       text        NOT NULL,
    category          text        NOT NULL,
    region            text,
    rows              bigint      NOT NULL,
    built_at          timestamptz NOT NULL DEFAULT now()
);
