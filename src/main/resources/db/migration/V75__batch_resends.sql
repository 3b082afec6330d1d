-- Issue 17, re-drop and replay (docs/batches.md).
-- A dropped file is matched against the earlier batches of its content: a tenant's file batches by SHA-256.
CREATE INDEX batches_tenant_sha256_idx ON batches (tenant_id, sha256) WHERE sha256 IS NOT NULL;

-- POST /batches/{id}/replay-invalid: each replay is a csv_validation job of the batch (its warehouse_load chained
-- as usual) reading a file of the corrected rows. replayed_rows[i] is the row number, in the validation's report
-- (validation_job_id), of the replay file's row i+1: what tells which invalid rows a replay fixed, and so which
-- rows are still invalid for the next one. Written in the transaction that submits the replay job.
CREATE TABLE batch_replays (
    job_id              text        PRIMARY KEY,
    batch_id            text        NOT NULL REFERENCES batches (batch_id) ON DELETE CASCADE,
    validation_job_id   text        NOT NULL,
    replayed_rows       bigint[]    NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX batch_replays_batch_idx ON batch_replays (batch_id, created_at);
