-- A batch is what a user hands in as one unit: a dropped file, an upload, a bulk_import's URL, a POST /jobs/batch
-- request (issue 17). Its jobs name it (jobs.batch_id; a chained follow-up inherits its parent's), and the
-- batch-completion route closes it exactly once when all of them are final (intake/BatchCompletion): the status,
-- the row counts read from its jobs' results, and the reconciliation of those counts.
CREATE TABLE batches (
    batch_id            text        PRIMARY KEY CHECK (batch_id ~ '^bat_[0-9a-f]{32}$'),
    tenant_id           text        NOT NULL,
    source              text        NOT NULL CHECK (source IN ('inbox', 'upload', 'url', 'api')),
    -- the inbox path, the upload's stored name, the URL; null for an API request
    source_ref          text,
    status              text        NOT NULL DEFAULT 'RUNNING'
        CHECK (status IN ('RUNNING', 'SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED')),
    -- null until the batch completes: only then are its jobs' results all known
    rows_total          bigint,
    rows_valid          bigint,
    rows_invalid        bigint,
    rows_loaded         bigint,
    rows_unchanged      bigint,
    sha256              text        CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- what the completion found when it checked the row counts: why they add up, or which ones do not
    reconciliation      text,
    -- POST /batches/{id}/cancel asked: its unfinished jobs were cancelled, and no follow-up is created for it any more
    cancel_requested    boolean     NOT NULL DEFAULT false,
    -- the jobs to submit when the batch completes ({"on_complete": {...}, "on_success": {...}}), and the ids of
    -- those submitted
    callbacks           jsonb,
    callback_job_ids    jsonb,
    created_at          timestamptz NOT NULL DEFAULT now(),
    completed_at        timestamptz
);

-- The completion's scan: only open batches are in it, so it stays small however many batches finished.
CREATE INDEX batches_running_idx ON batches (created_at) WHERE status = 'RUNNING';
-- GET /batches: a tenant's batches, newest first (keyset paging on created_at, batch_id).
CREATE INDEX batches_tenant_created_idx ON batches (tenant_id, created_at DESC, batch_id DESC);

-- No foreign key: a job is written in the same transaction as its batch, and the jobs table is written in sets
-- whose statements a constraint check per row would slow down.
ALTER TABLE jobs ADD COLUMN batch_id text;
CREATE INDEX jobs_batch_idx ON jobs (batch_id) WHERE batch_id IS NOT NULL;
