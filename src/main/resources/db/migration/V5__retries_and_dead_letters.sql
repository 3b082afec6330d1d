-- A running job asked to stop: the worker sees it at its next progress checkpoint and ends it CANCELLED.
ALTER TABLE jobs ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false;

-- Jobs whose attempts ran out. The payload stays in the jobs row (payload_ref names it); this keeps every
-- attempt's error and the last stack trace, and counts replays.
CREATE TABLE dead_letters (
    id               bigserial   PRIMARY KEY,
    job_id           text        NOT NULL REFERENCES jobs (job_id),
    tenant_id        text        NOT NULL,
    type             text        NOT NULL,
    payload_ref      text        NOT NULL,
    attempts         integer     NOT NULL,
    errors           jsonb       NOT NULL,
    last_error       text,
    last_stack_trace text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    replay_count     integer     NOT NULL DEFAULT 0,
    replayed_at      timestamptz
);
CREATE INDEX dead_letters_type_created_idx ON dead_letters (type, created_at DESC);
CREATE INDEX dead_letters_created_idx ON dead_letters (created_at DESC);
CREATE INDEX dead_letters_job_idx ON dead_letters (job_id);
