package dev.conveyor.telemetry;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps job_daily_stats (V6_1__job_daily_stats.sql): per UTC day, tenant, marketplace, category and type, the
 * jobs that reached a final status, their rows and error rate, and latency percentiles. Called by the
 * {@code event-partition-maintenance} route for yesterday and today.
 * <p>
 * The source is the jobs table, not job_events: a job row holds its final status, its timestamps and its
 * result's row counts, and outlives the events' retention. A refresh recomputes whole days in one statement:
 * it upserts every group the jobs table has for those days and deletes the groups it no longer has (a job
 * retried by hand leaves the day it had failed on), so running it again changes nothing and two instances
 * running it at once end with the same rows.
 */
@Component("jobDailyStats")
public class JobDailyStats {

    /** Jobs that finished in {@code [from, to)} grouped by day and dimensions, upserted; stale groups deleted. */
    static final String REFRESH_SQL = """
            WITH finished AS (
                SELECT (completed_at AT TIME ZONE 'UTC')::date AS day, tenant_id,
                       coalesce(marketplace, '') AS marketplace, coalesce(category, '') AS category, type, status,
                       1000 * extract(epoch FROM completed_at - created_at)::float8 AS latency_ms,
                       1000 * extract(epoch FROM completed_at - started_at)::float8 AS processing_ms,
                       CASE WHEN jsonb_typeof(result -> 'total_rows') = 'number'
                            THEN (result ->> 'total_rows')::numeric END AS total_rows,
                       CASE WHEN jsonb_typeof(result -> 'valid_rows') = 'number'
                            THEN (result ->> 'valid_rows')::numeric END AS valid_rows,
                       CASE WHEN jsonb_typeof(result -> 'error_rows') = 'number'
                            THEN (result ->> 'error_rows')::numeric END AS error_rows
                FROM jobs
                WHERE completed_at >= ? AND completed_at < ?
                  AND status IN ('SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'DEAD_LETTERED', 'CANCELLED')
            ), fresh AS (
                SELECT day, tenant_id, marketplace, category, type,
                       count(*) AS jobs,
                       count(*) FILTER (WHERE status = 'SUCCESS') AS success,
                       count(*) FILTER (WHERE status = 'PARTIAL_SUCCESS') AS partial_success,
                       count(*) FILTER (WHERE status = 'FAILED') AS failed,
                       count(*) FILTER (WHERE status = 'DEAD_LETTERED') AS dead_lettered,
                       count(*) FILTER (WHERE status = 'CANCELLED') AS cancelled,
                       coalesce(sum(total_rows), 0)::bigint AS total_rows,
                       coalesce(sum(valid_rows), 0)::bigint AS valid_rows,
                       coalesce(sum(error_rows), 0)::bigint AS error_rows,
                       round(sum(error_rows) / nullif(sum(total_rows), 0), 6) AS error_rate,
                       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms)
                             FILTER (WHERE status <> 'CANCELLED'))::bigint AS latency_p50_ms,
                       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
                             FILTER (WHERE status <> 'CANCELLED'))::bigint AS latency_p95_ms,
                       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms)
                             FILTER (WHERE status <> 'CANCELLED'))::bigint AS latency_p99_ms,
                       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY processing_ms)
                             FILTER (WHERE status <> 'CANCELLED'))::bigint AS processing_p95_ms
                FROM finished
                GROUP BY day, tenant_id, marketplace, category, type
            ), upserted AS (
                INSERT INTO job_daily_stats (day, tenant_id, marketplace, category, type, jobs, success,
                                             partial_success, failed, dead_lettered, cancelled, total_rows,
                                             valid_rows, error_rows, error_rate, latency_p50_ms, latency_p95_ms,
                                             latency_p99_ms, processing_p95_ms, refreshed_at)
                SELECT day, tenant_id, marketplace, category, type, jobs, success, partial_success, failed,
                       dead_lettered, cancelled, total_rows, valid_rows, error_rows, error_rate, latency_p50_ms,
                       latency_p95_ms, latency_p99_ms, processing_p95_ms, now()
                FROM fresh
                ON CONFLICT (day, tenant_id, type, marketplace, category) DO UPDATE SET
                    jobs = EXCLUDED.jobs, success = EXCLUDED.success, partial_success = EXCLUDED.partial_success,
                    failed = EXCLUDED.failed, dead_lettered = EXCLUDED.dead_lettered,
                    cancelled = EXCLUDED.cancelled, total_rows = EXCLUDED.total_rows,
                    valid_rows = EXCLUDED.valid_rows, error_rows = EXCLUDED.error_rows,
                    error_rate = EXCLUDED.error_rate, latency_p50_ms = EXCLUDED.latency_p50_ms,
                    latency_p95_ms = EXCLUDED.latency_p95_ms, latency_p99_ms = EXCLUDED.latency_p99_ms,
                    processing_p95_ms = EXCLUDED.processing_p95_ms, refreshed_at = EXCLUDED.refreshed_at
                RETURNING 1
            ), stale AS (
                DELETE FROM job_daily_stats s
                WHERE s.day >= ?::date AND s.day < ?::date
                  AND NOT EXISTS (SELECT 1 FROM fresh f
                                  WHERE f.day = s.day AND f.tenant_id = s.tenant_id AND f.type = s.type
                                    AND f.marketplace = s.marketplace AND f.category = s.category)
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM upserted) AS upserted, (SELECT count(*) FROM stale) AS deleted
            """;

    private static final Logger log = LoggerFactory.getLogger(JobDailyStats.class);

    private final JdbcTemplate jdbc;

    public JobDailyStats(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** What a refresh wrote: groups upserted and groups deleted; both -1 when it failed. */
    public record Refresh(LocalDate from, LocalDate to, long upserted, long deleted) {
    }

    /**
     * Recomputes yesterday and today (UTC). Yesterday is included because jobs finish after midnight too late
     * for the last run of the day. A database error is logged, not thrown: the next run recomputes the same days.
     */
    public Refresh refresh() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        try {
            return refresh(today.minusDays(1), today.plusDays(1));
        } catch (DataAccessException e) {
            log.warn("job_daily_stats not refreshed; it is tried again at the next run: {}",
                    e.getMostSpecificCause().getMessage());
            return new Refresh(today.minusDays(1), today.plusDays(1), -1, -1);
        }
    }

    /** Recomputes the days {@code [from, to)}: e.g. to fill in days before the service kept the aggregate. */
    public Refresh refresh(LocalDate from, LocalDate to) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("an empty range of days: [" + from + ", " + to + ")");
        }
        OffsetDateTime start = from.atStartOfDay().atOffset(ZoneOffset.UTC);
        OffsetDateTime end = to.atStartOfDay().atOffset(ZoneOffset.UTC);
        Map<String, Object> counts = jdbc.queryForMap(REFRESH_SQL, start, end, from, to);
        Refresh refresh = new Refresh(from, to, ((Number) counts.get("upserted")).longValue(),
                ((Number) counts.get("deleted")).longValue());
        log.debug("job_daily_stats refreshed for [{}, {}): {} groups written, {} removed", from, to,
                refresh.upserted(), refresh.deleted());
        return refresh;
    }
}
