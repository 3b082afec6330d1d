package dev.conveyor.telemetry;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A tenant's finished jobs per UTC day, read from the daily aggregate (job_daily_stats, kept by
 * {@link JobDailyStats}): what the dashboard's overview draws for the days before the last hour. It is as fresh as
 * the aggregate's last refresh (conveyor.telemetry.store.maintenance-period-ms), and outlives the events'
 * retention. Every day of the span appears, with zeros when no job finished on it, so a chart has no gaps.
 */
@Component
public class DailyThroughput {

    private final JdbcTemplate jdbc;

    public DailyThroughput(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * One day: the jobs that reached a final status, those that succeeded (SUCCESS or PARTIAL_SUCCESS) and those
     * that failed (FAILED or DEAD_LETTERED); cancelled ones count only in {@code finished}.
     */
    public record Day(LocalDate day, long finished, long succeeded, long failed) {
    }

    /** The {@code days} days up to and including {@code today}, oldest first. */
    public List<Day> of(String tenant, LocalDate today, int days) {
        LocalDate first = today.minusDays(days - 1L);
        Map<LocalDate, Day> found = new HashMap<>();
        jdbc.query("""
                SELECT day, sum(jobs) AS finished, sum(success + partial_success) AS succeeded,
                       sum(failed + dead_lettered) AS failed
                FROM job_daily_stats WHERE tenant_id = ? AND day >= ? AND day <= ?
                GROUP BY day
                """, rs -> {
            LocalDate day = rs.getDate("day").toLocalDate();
            found.put(day, new Day(day, rs.getLong("finished"), rs.getLong("succeeded"), rs.getLong("failed")));
        }, tenant, Date.valueOf(first), Date.valueOf(today));
        List<Day> span = new ArrayList<>(days);
        for (LocalDate day = first; !day.isAfter(today); day = day.plusDays(1)) {
            span.add(found.getOrDefault(day, new Day(day, 0, 0, 0)));
        }
        return span;
    }
}
