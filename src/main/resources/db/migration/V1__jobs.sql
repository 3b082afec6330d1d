-- The jobs table is the outbox: every source writes a QUEUED row here first, the dispatcher publishes it.
CREATE TABLE jobs (
    id                 uuid        PRIMARY KEY,
    job_id             text        NOT NULL UNIQUE,
    tenant_id          text        NOT NULL DEFAULT 'default',
    type               text        NOT NULL,
    source             text        NOT NULL DEFAULT 'api',
    status             text        NOT NULL DEFAULT 'QUEUED'
        CHECK (status IN ('QUEUED', 'RUNNING', 'RETRYING', 'SUCCESS', 'PARTIAL_SUCCESS', 'FAILED',
                          'DEAD_LETTERED', 'CANCELLED')),
    priority           text        NOT NULL DEFAULT 'normal' CHECK (priority IN ('high', 'normal', 'low')),
    priority_rank      smallint    GENERATED ALWAYS AS (
                           CASE priority WHEN 'high' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END) STORED,
    lane               text,
    payload            jsonb       NOT NULL,
    payload_size_bytes bigint      NOT NULL DEFAULT 0,
    idempotency_key    text,
    request_hash       text,
    correlation_id     text,
    parent_job_id      text        REFERENCES jobs (job_id),
    marketplace        text,
    category           text,
    region             text,
    progress           smallint    NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    attempts           integer     NOT NULL DEFAULT 0,
    retry_count        integer     NOT NULL DEFAULT 0,
    max_attempts       integer     NOT NULL DEFAULT 3,
    run_at             timestamptz NOT NULL DEFAULT now(),
    dispatched_at      timestamptz,
    lease_until        timestamptz,
    result             jsonb,
    result_url         text,
    errors             jsonb       NOT NULL DEFAULT '[]'::jsonb,
    error_message      text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    started_at         timestamptz,
    completed_at       timestamptz
);

-- Due-job selection: only undispatched waiting jobs are in this index, so it stays small however many jobs finished.
CREATE INDEX jobs_due_idx ON jobs (priority_rank, run_at)
    WHERE status IN ('QUEUED', 'RETRYING') AND dispatched_at IS NULL;
-- Expired leases, for the reaper: only running jobs.
CREATE INDEX jobs_running_lease_idx ON jobs (lease_until) WHERE status = 'RUNNING';
CREATE INDEX jobs_status_idx ON jobs (status, created_at DESC);
CREATE INDEX jobs_tenant_created_idx ON jobs (tenant_id, created_at DESC);
CREATE INDEX jobs_completed_idx ON jobs (completed_at) WHERE completed_at IS NOT NULL;
CREATE INDEX jobs_correlation_idx ON jobs (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX jobs_parent_idx ON jobs (parent_job_id) WHERE parent_job_id IS NOT NULL;
-- An idempotency key names one job per tenant, for as long as the job row exists.
CREATE UNIQUE INDEX jobs_idempotency_idx ON jobs (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Every lifecycle step of every job; written in the same transaction as the state change it describes.
CREATE TABLE job_events (
    event_id   uuid        PRIMARY KEY,
    event_type text        NOT NULL,
    job_id     text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    payload    jsonb       NOT NULL
);
CREATE INDEX job_events_job_idx ON job_events (job_id, created_at);
CREATE INDEX job_events_type_idx ON job_events (event_type, created_at);
