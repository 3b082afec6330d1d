-- API keys (docs/security.md): a caller is a key, and a key carries its tenant and role. Only a SHA-256 hash of
-- the key is kept; the key itself is shown once, when it is made. A revoked key stays listed, never matches.
CREATE TABLE api_keys (
    key_id       text PRIMARY KEY,
    name         text        NOT NULL,
    tenant_id    text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('reader', 'submitter', 'operator', 'admin')),
    key_hash     bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);

-- Which key submitted a job: the record of an admin acting for another tenant (X-Tenant-Id). NULL for jobs
-- from the inbox, the SQL source, chains and jobs made before keys existed.
ALTER TABLE jobs ADD COLUMN submitted_by text;
