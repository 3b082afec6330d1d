-- job_events becomes range-partitioned by month on created_at (architecture section 7), so that retention is a
-- DROP TABLE of a whole month instead of a DELETE of millions of rows, and a query over recent events only
-- reads recent partitions. Existing rows are kept: the old table is renamed, a partition is created for every
-- month it holds plus the current month and the 3 after it, the rows are copied over, and the old table dropped.
--
-- Months are calendar months in UTC, named job_events_pYYYYMM. After this migration the event-partition-maintenance
-- route (routes/telemetry-maintenance.camel.yaml, telemetry/EventPartitions) keeps partitions created ahead and
-- drops those past the retention period.
--
-- Why a DEFAULT partition: an event is written in the transaction that changes its job's state, so an insert
-- with no partition to go to would fail the job. Rows whose month has no partition yet (maintenance stopped for
-- months, a clock far off) land in job_events_default instead, and the next maintenance run moves them into a
-- partition of their month. The default partition is normally empty.
--
-- Plain SQL and PL/pgSQL that PostgreSQL 14 (the embedded server) and 15+ both accept.

ALTER TABLE job_events RENAME TO job_events_unpartitioned;
ALTER INDEX job_events_pkey RENAME TO job_events_unpartitioned_pkey;
ALTER INDEX job_events_job_idx RENAME TO job_events_unpartitioned_job_idx;
ALTER INDEX job_events_type_idx RENAME TO job_events_unpartitioned_type_idx;

-- The partition key must be part of the primary key; event ids are random UUIDs, unique on their own.
CREATE TABLE job_events (
    event_id   uuid        NOT NULL,
    event_type text        NOT NULL,
    job_id     text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    payload    jsonb       NOT NULL,
    PRIMARY KEY (event_id, created_at)
) PARTITION BY RANGE (created_at);

-- Partitioned indexes: every partition gets its own copy, created with it.
CREATE INDEX job_events_job_idx ON job_events (job_id, created_at);
CREATE INDEX job_events_type_idx ON job_events (event_type, created_at);

CREATE TABLE job_events_default PARTITION OF job_events DEFAULT;

DO $$
DECLARE
    this_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
    month      timestamp;
BEGIN
    FOR month IN
        SELECT date_trunc('month', created_at AT TIME ZONE 'UTC') FROM job_events_unpartitioned
        UNION
        SELECT this_month + make_interval(months => ahead) FROM generate_series(0, 3) AS ahead
        ORDER BY 1
    LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF job_events FOR VALUES FROM (%L) TO (%L)',
                       'job_events_p' || to_char(month, 'YYYYMM'),
                       to_char(month, 'YYYY-MM-DD"T"00:00:00"Z"'),
                       to_char(month + interval '1 month', 'YYYY-MM-DD"T"00:00:00"Z"'));
    END LOOP;
END
$$;

INSERT INTO job_events (event_id, event_type, job_id, created_at, payload)
SELECT event_id, event_type, job_id, created_at, payload
FROM job_events_unpartitioned;

DROP TABLE job_events_unpartitioned;
