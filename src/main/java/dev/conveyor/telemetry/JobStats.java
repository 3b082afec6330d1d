package dev.conveyor.telemetry;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.conveyor.job.JobStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The numbers behind {@code GET /jobs/stats}: for one tenant over a window ending now (optionally one job type),
 * <ul>
 *   <li>{@code submitted}: the jobs created in the window, by their status now, by type and by type and status;</li>
 *   <li>{@code finished}: the jobs that reached a final status in the window, by status and by type, their
 *       success rate ((SUCCESS + PARTIAL_SUCCESS) / those that ran to an outcome: cancelled jobs are left out)
 *       and the p50/p95/p99 of created → completed of those that ran to an outcome, in milliseconds.</li>
 * </ul>
 * Read from the jobs table (indexes on tenant + created_at and on completed_at), three grouped queries.
 * Every status appears in {@code by_status}, with 0 when there are none, so a dashboard's keys are stable.
 */
@Component
public class JobStats {

    /** Final statuses that are an outcome of running: what the success rate and latencies are computed over. */
    static final Set<JobStatus> OUTCOMES = EnumSet.of(JobStatus.SUCCESS, JobStatus.PARTIAL_SUCCESS,
            JobStatus.FAILED, JobStatus.DEAD_LETTERED);
    static final Set<JobStatus> SUCCEEDED = EnumSet.of(JobStatus.SUCCESS, JobStatus.PARTIAL_SUCCESS);
    static final List<JobStatus> FINAL = List.of(JobStatus.SUCCESS, JobStatus.PARTIAL_SUCCESS, JobStatus.FAILED,
            JobStatus.DEAD_LETTERED, JobStatus.CANCELLED);

    private final JdbcTemplate jdbc;

    public JobStats(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The answer for {@code tenant} over {@code window} ending at {@code now}; {@code type} null for all types. */
    public Map<String, Object> of(String tenant, StatsWindow window, String type, Instant now) {
        OffsetDateTime to = now.atOffset(ZoneOffset.UTC);
        OffsetDateTime from = to.minus(window.length());
        List<Object> args = new ArrayList<>(List.of(tenant, from, to));
        String typeFilter = "";
        if (type != null) {
            typeFilter = " AND type = ?";
            args.add(type);
        }

        Map<String, Map<JobStatus, Long>> submitted = counts("SELECT type, status, count(*) AS jobs FROM jobs"
                + " WHERE tenant_id = ? AND created_at >= ? AND created_at < ?" + typeFilter
                + " GROUP BY type, status", args);
        Map<String, Map<JobStatus, Long>> finished = counts("SELECT type, status, count(*) AS jobs FROM jobs"
                + " WHERE tenant_id = ? AND completed_at >= ? AND completed_at < ?"
                + " AND status IN ('SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'DEAD_LETTERED', 'CANCELLED')"
                + typeFilter + " GROUP BY type, status", args);
        // one row per type, and one for all of them (GROUPING(type) = 1), null percentiles when there are no jobs
        Map<String, Map<String, Object>> latencies = new TreeMap<>();
        Map<String, Object> overallLatency = latency(null);
        jdbc.query("SELECT type, GROUPING(type) AS overall,"
                + " percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP ("
                + "ORDER BY 1000 * extract(epoch FROM completed_at - created_at)::float8) AS ms"
                + " FROM jobs WHERE tenant_id = ? AND completed_at >= ? AND completed_at < ?"
                + " AND status IN ('SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'DEAD_LETTERED')" + typeFilter
                + " GROUP BY GROUPING SETS ((type), ())", rs -> {
            Map<String, Object> latency = latency(percentiles(rs));
            if (rs.getInt("overall") == 1) {
                overallLatency.putAll(latency);
            } else {
                latencies.put(rs.getString("type"), latency);
            }
        }, args.toArray());

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenant_id", tenant);
        body.put("window", window.text());
        body.put("from", from.toInstant().toString());
        body.put("to", to.toInstant().toString());
        body.put("type", type);

        Map<String, Object> submittedView = new LinkedHashMap<>();
        Map<JobStatus, Long> allSubmitted = sum(submitted.values());
        submittedView.put("total", total(allSubmitted));
        submittedView.put("by_status", byStatus(allSubmitted, List.of(JobStatus.values())));
        Map<String, Object> submittedByType = new TreeMap<>();
        submitted.forEach((jobType, counts) -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("total", total(counts));
            view.put("by_status", byStatus(counts, List.of(JobStatus.values())));
            submittedByType.put(jobType, view);
        });
        submittedView.put("by_type", submittedByType);
        body.put("submitted", submittedView);

        Map<String, Object> finishedView = outcome(sum(finished.values()), overallLatency);
        Map<String, Object> finishedByType = new TreeMap<>();
        finished.forEach((jobType, counts) ->
                finishedByType.put(jobType, outcome(counts, latencies.getOrDefault(jobType, latency(null)))));
        finishedView.put("by_type", finishedByType);
        body.put("finished", finishedView);
        return body;
    }

    private Map<String, Map<JobStatus, Long>> counts(String sql, List<Object> args) {
        Map<String, Map<JobStatus, Long>> counts = new TreeMap<>();
        jdbc.query(sql, rs -> {
            counts.computeIfAbsent(rs.getString("type"), t -> new EnumMap<>(JobStatus.class))
                    .merge(JobStatus.valueOf(rs.getString("status")), rs.getLong("jobs"), Long::sum);
        }, args.toArray());
        return counts;
    }

    /** Counts, success rate and latency of finished jobs. */
    private static Map<String, Object> outcome(Map<JobStatus, Long> counts, Map<String, Object> latency) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("total", total(counts));
        view.put("by_status", byStatus(counts, FINAL));
        long ran = counts.entrySet().stream().filter(e -> OUTCOMES.contains(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
        long succeeded = counts.entrySet().stream().filter(e -> SUCCEEDED.contains(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
        // a share, rounded to 4 decimals
        view.put("success_rate", ran == 0 ? null : Math.round(10_000.0 * succeeded / ran) / 10_000.0);
        view.put("latency_ms", latency);
        return view;
    }

    private static Map<JobStatus, Long> sum(Iterable<Map<JobStatus, Long>> perType) {
        Map<JobStatus, Long> all = new EnumMap<>(JobStatus.class);
        perType.forEach(counts -> counts.forEach((status, n) -> all.merge(status, n, Long::sum)));
        return all;
    }

    private static long total(Map<JobStatus, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static Map<String, Long> byStatus(Map<JobStatus, Long> counts, List<JobStatus> statuses) {
        Map<String, Long> view = new LinkedHashMap<>();
        for (JobStatus status : statuses) {
            view.put(status.name(), counts.getOrDefault(status, 0L));
        }
        return view;
    }

    /** {@code {"p50","p95","p99"}} in whole milliseconds; nulls when no job ran to an outcome. */
    private static Map<String, Object> latency(double[] percentiles) {
        Map<String, Object> view = new LinkedHashMap<>();
        String[] names = {"p50", "p95", "p99"};
        for (int i = 0; i < names.length; i++) {
            view.put(names[i], percentiles == null ? null : Math.round(percentiles[i]));
        }
        return view;
    }

    private static double[] percentiles(ResultSet rs) throws SQLException {
        Array array = rs.getArray("ms");
        if (array == null) {
            return null;
        }
        Object[] values = (Object[]) array.getArray();
        double[] ms = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            ms[i] = ((Number) values[i]).doubleValue();
        }
        return ms;
    }
}
