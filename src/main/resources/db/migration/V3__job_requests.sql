-- The SQL source: other systems INSERT a row here (type and payload at least) and Conveyor turns it into a
-- job. A row is NEW until a poller takes it: then it is TAKEN with the job's id, or REJECTED with the reason.
CREATE TABLE job_requests (
    id              bigserial   PRIMARY KEY,
    tenant_id       text        NOT NULL DEFAULT 'default',
    type            text        NOT NULL,
    payload         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    priority        text,
    idempotency_key text,
    correlation_id  text,
    run_at          timestamptz,
    status          text        NOT NULL DEFAULT 'NEW' CHECK (status IN ('NEW', 'TAKEN', 'REJECTED')),
    job_id          text,
    reject_reason   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    taken_at        timestamptz
);

-- Pollers only ever look for NEW rows; taken ones drop out of this index.
CREATE INDEX job_requests_new_idx ON job_requests (id) WHERE status = 'NEW';
