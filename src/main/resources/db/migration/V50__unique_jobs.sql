-- Unique jobs (docs/architecture.md, section 4, "Unique jobs"): a submission may name a unique key, which the job
-- then holds — while it is active (QUEUED, RETRYING, RUNNING) when unique_until is NULL, or until unique_until
-- (its creation by the service's clock plus the period it asked for) otherwise. A second submission of the tenant
-- with a key some job holds is refused with 409. Unlike an idempotency key, which names one job for as long as its
-- row exists and answers it again, a unique key refuses the second job and lets a new one in once it is free.
ALTER TABLE jobs ADD COLUMN unique_key text;
ALTER TABLE jobs ADD COLUMN unique_until timestamptz;

-- The hard guarantee for while_active keys: at most one active job of a tenant holds one. Intake checks first under
-- an advisory lock on the key (so concurrent submits queue up instead of failing here); this index is what still
-- holds if anything else, a retry by hand say, would make a second job of the key active. Finished jobs drop out.
CREATE UNIQUE INDEX jobs_unique_active_idx ON jobs (tenant_id, unique_key)
    WHERE unique_key IS NOT NULL AND unique_until IS NULL AND status IN ('QUEUED', 'RETRYING', 'RUNNING');
-- The check for period keys: the newest job of the key, only among jobs that have one.
CREATE INDEX jobs_unique_key_idx ON jobs (tenant_id, unique_key, unique_until) WHERE unique_key IS NOT NULL;
