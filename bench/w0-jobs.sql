-- bench/w0-jobs.sql — W0's pre-inserted jobs: :count noop jobs, QUEUED, each with its job.queued event, written
-- by one statement in one transaction, exactly as POST /jobs/batch would have written them (JobStore.insertAll,
-- JobLifecycle.submitAll, JobEvents.of): the same columns and values, the same event envelope, the same
-- job_execution_id the worker's job.started and job.completed will carry. NoopJobsTest checks that against rows the
-- service writes itself. What the service does besides and this does not: count them in the Prometheus
-- conveyor_jobs_submitted counter (a counter of this process, not data), and wake the dispatcher (W0 wants the
-- jobs to wait until they are due).
--
-- Variables (psql -v name=value, all required):
--   count           how many jobs
--   tag             their correlation_id, by which bench/run finds them
--   tenant          their tenant: the tenant of the key that would have submitted them
--   submitted_by    that key's key_id
--   max_attempts    what intake records for the type (conveyor.worker.max-attempts unless retry.types.noop says)
--   due_in_seconds  0: due at once, as a job submitted without run_at. Above 0: run_at this many seconds after
--                   the transaction's start, as a job submitted with that run_at — all of them become due at the
--                   same instant, after the statement has committed and bench/run has read its counters, so
--                   the drain it times starts from a full table and pays for none of the insert.
WITH planned AS (
    -- version 7 uuids in insertion order, like those of JobIds.newRowId (which counts within a millisecond in its
    -- random bits): here the statement's millisecond (one more for every 4,096 ids), the version 7, a 12-bit
    -- counter, the variant bits 10 and 62 random bits
    SELECT (lpad(to_hex(ms + n / 4096), 12, '0') || '7' || lpad(to_hex(n % 4096), 3, '0')
            || substr('89ab', floor(random() * 4)::int + 1, 1) || substr(md5(random()::text), 1, 15))::uuid AS id,
           now() + make_interval(secs => :due_in_seconds) AS run_at
      FROM generate_series(0, :count - 1) AS n,
           (SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms) AS statement_start
     ORDER BY n
),
new_jobs AS (
    -- no request_hash: JobIntake hashes a request only when it has an idempotency key, and these have none
    INSERT INTO jobs (id, job_id, tenant_id, type, source, priority, payload, payload_size_bytes,
                      correlation_id, run_at, max_attempts, submitted_by)
    SELECT id, 'job_' || replace(id::text, '-', ''), :'tenant', 'noop', 'api', 'normal', '{}'::jsonb,
           2,                                                      -- octet_length('{}')
           :'tag', run_at, :max_attempts, :'submitted_by'
      FROM planned
    RETURNING job_id, tenant_id, correlation_id, payload_size_bytes, created_at
),
queued AS (
    SELECT gen_random_uuid() AS event_id, job_id, tenant_id, correlation_id, payload_size_bytes, created_at,
           md5(job_id || '#1') AS attempt_hash
      FROM new_jobs
)
INSERT INTO job_events (event_id, event_type, job_id, created_at, payload)
SELECT event_id, 'job.queued', job_id, created_at,
       jsonb_build_object(
           'event_id', event_id::text,
           'event_type', 'job.queued',
           'version', 'v1',
           'job_id', job_id,
           -- UUID.nameUUIDFromBytes(job_id + "#1"), the id of attempt 1: the MD5 with the version nibble set
           -- to 3 and the variant bits to 10, without its dashes
           'job_execution_id', 'exec_' || overlay(overlay(attempt_hash PLACING '3' FROM 13 FOR 1)
                                                  PLACING substr('89ab', (('x' || substr(attempt_hash, 17, 1))::bit(4)::int & 3) + 1, 1)
                                                  FROM 17 FOR 1),
           'task', 'noop',
           'timestamp', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'tenant_id', tenant_id,
           'marketplace', NULL,
           'category', NULL,
           'region', NULL,
           'partition_key', NULL,
           'correlation_id', correlation_id,
           'parent_job_id', NULL,
           'metrics', jsonb_build_object('payload_size_bytes', payload_size_bytes))
  FROM queued;
