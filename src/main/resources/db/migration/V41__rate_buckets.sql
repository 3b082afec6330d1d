-- The token buckets of the per-key rate limits (conveyor.limits.<type>.rate; docs/operations.md, "Per-key limits"):
-- one row per job type and key, written by the claim under the key's advisory lock, so every instance draws on the
-- same bucket. A key with no row has a full bucket. tokens is what was left at refilled_at (the service's clock).
CREATE TABLE rate_buckets (
    type        text             NOT NULL,
    key         text             NOT NULL,
    tokens      double precision NOT NULL,
    refilled_at timestamptz      NOT NULL,
    PRIMARY KEY (type, key)
);
