-- The children a finished job asks for (its outcome's follow-ups) are recorded in the same statement that ends
-- the job, and created after that commit, outside the batch that ended it; the column is cleared once they
-- exist. A start-up or a periodic sweep creates those a stopped service left behind (derived idempotency keys
-- make a second attempt harmless), so a chain never loses a link.
ALTER TABLE jobs ADD COLUMN follow_ups jsonb;

CREATE INDEX jobs_pending_follow_ups_idx ON jobs (completed_at) WHERE follow_ups IS NOT NULL;
