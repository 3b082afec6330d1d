-- Recurring schedules (docs/schedules.md). A row is a schedule; next_run_at is the tick the ticker fires next,
-- advanced in the same transaction that took the row FOR UPDATE SKIP LOCKED, so instances share the table. The
-- job of each tick carries the idempotency key schedule:<name>:<tick>, unique per tenant in jobs: a tick fired
-- again (after a crash between the submit and this row's update, or by a racing instance) finds its job.
CREATE TABLE schedules (
    name          text        PRIMARY KEY,
    tenant_id     text        NOT NULL,
    cron          text        NOT NULL,
    zone          text        NOT NULL,
    job           jsonb       NOT NULL,
    misfire       text        NOT NULL CHECK (misfire IN ('skip', 'run_once')),
    paused        boolean     NOT NULL DEFAULT false,
    next_run_at   timestamptz NOT NULL,
    last_run_at   timestamptz,
    last_job_id   text,
    -- config: declared in application.yaml (conveyor.schedules), owned by it; api: made by PUT /schedules/{name}
    origin        text        NOT NULL CHECK (origin IN ('config', 'api')),
    created_by    text,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- the ticker's question: which schedules are due
CREATE INDEX schedules_due_idx ON schedules (next_run_at) WHERE NOT paused;
