-- A daily aggregate of finished jobs for dashboards and reports, kept by the maintenance route
-- (routes/telemetry-maintenance.camel.yaml, telemetry/JobDailyStats), which recomputes yesterday and today from
-- the jobs table. It outlives job_events' retention: rows of past days are never touched again.
--
-- One row per UTC day of completed_at, tenant, marketplace, category and job type; a job without a marketplace
-- or category is counted under '' (a primary key column cannot be NULL).
CREATE TABLE job_daily_stats (
    day               date        NOT NULL,
    tenant_id         text        NOT NULL,
    marketplace       text        NOT NULL,
    category          text        NOT NULL,
    type              text        NOT NULL,
    -- jobs that reached a final status that day, in all and per status
    jobs              bigint      NOT NULL,
    success           bigint      NOT NULL,
    partial_success   bigint      NOT NULL,
    failed            bigint      NOT NULL,
    dead_lettered     bigint      NOT NULL,
    cancelled         bigint      NOT NULL,
    -- rows read by those jobs (from their result's total_rows / valid_rows / error_rows)
    total_rows        bigint      NOT NULL,
    valid_rows        bigint      NOT NULL,
    error_rows        bigint      NOT NULL,
    -- error_rows / total_rows; NULL when no rows were read
    error_rate        numeric,
    -- created_at -> completed_at of the jobs that ran to an outcome (cancelled ones left out), milliseconds
    latency_p50_ms    bigint,
    latency_p95_ms    bigint,
    latency_p99_ms    bigint,
    -- started_at -> completed_at of the attempt that ended the job, milliseconds
    processing_p95_ms bigint,
    refreshed_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (day, tenant_id, type, marketplace, category)
);
CREATE INDEX job_daily_stats_tenant_day_idx ON job_daily_stats (tenant_id, day);
