package dev.conveyor.queue;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.conveyor.job.JobStatus;
import dev.conveyor.queue.Pause.Kind;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What waits and runs in each lane and of each job type, with its pause (GET /lanes, GET /types). A waiting job has
 * no lane yet (it gets one when it is claimed), so the lane of the waiting ones is the routing rules' decision made
 * in SQL ({@link LaneRouter#laneExpression()}); a running job's lane is the one it was claimed in.
 */
@Component
public class QueueOverview {

    private static final String CLAIMABLE = JobStatus.sqlList(JobStatus.CLAIMABLE);

    private final NamedParameterJdbcTemplate jdbc;
    private final LaneRouter router;
    private final Pauses pauses;
    private final Clock clock;

    public QueueOverview(NamedParameterJdbcTemplate jdbc, LaneRouter router, Pauses pauses, Clock clock) {
        this.jdbc = jdbc;
        this.router = router;
        this.pauses = pauses;
        this.clock = clock;
    }

    /**
     * One lane or type: whether it is paused (by whom, since when), how many jobs wait in it (QUEUED or RETRYING,
     * due or not), how many run, and how long the oldest due one has waited (null: none is due).
     */
    public record Row(String name, boolean paused, String pausedBy, Instant pausedAt, long queued, long running,
                      Long oldestWaitingSeconds) {
    }

    public List<Row> lanes() {
        return rows(Kind.LANE, router.laneExpression(), "lane");
    }

    public List<Row> types() {
        return rows(Kind.TYPE, "type", "type");
    }

    private List<Row> rows(Kind kind, String waitingIn, String runningIn) {
        Instant now = clock.instant();
        MapSqlParameterSource params = new MapSqlParameterSource("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
        Map<String, long[]> waiting = new HashMap<>();
        Map<String, Instant> oldestDue = new HashMap<>();
        jdbc.query("""
                SELECT %s AS name, count(*) AS queued,
                       min(run_at) FILTER (WHERE run_at <= CAST(:now AS timestamptz)) AS oldest_due
                FROM jobs WHERE status IN %s GROUP BY 1
                """.formatted(waitingIn, CLAIMABLE), params, rs -> {
            waiting.put(rs.getString("name"), new long[] {rs.getLong("queued")});
            Timestamp oldest = rs.getTimestamp("oldest_due");
            if (oldest != null) {
                oldestDue.put(rs.getString("name"), oldest.toInstant());
            }
        });
        Map<String, Long> running = new HashMap<>();
        jdbc.query("SELECT %s AS name, count(*) AS running FROM jobs WHERE status = 'RUNNING' GROUP BY 1"
                .formatted(runningIn), params, rs -> {
            running.put(rs.getString("name"), rs.getLong("running"));
        });
        Map<String, Pause> paused = new HashMap<>();
        pauses.all().stream().filter(pause -> pause.kind() == kind).forEach(pause -> paused.put(pause.name(), pause));
        List<Row> rows = new ArrayList<>();
        for (String name : pauses.known(kind)) {
            Pause pause = paused.get(name);
            Instant oldest = oldestDue.get(name);
            rows.add(new Row(name, pause != null, pause == null ? null : pause.pausedBy(),
                    pause == null ? null : pause.pausedAt(), waiting.getOrDefault(name, new long[1])[0],
                    running.getOrDefault(name, 0L),
                    oldest == null ? null : Math.max(0, Duration.between(oldest, now).toSeconds())));
        }
        return rows;
    }
}
