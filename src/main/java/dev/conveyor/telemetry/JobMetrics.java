package dev.conveyor.telemetry;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.conveyor.job.Job;
import dev.conveyor.job.LifecycleMetrics;
import dev.conveyor.job.JobStatus;
import dev.conveyor.queue.Lane;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The service's business metrics (docs/architecture.md, section 7), served by {@code /actuator/prometheus}:
 * <ul>
 *   <li>{@code conveyor.jobs.submitted} (type, source): jobs really created, not idempotent replays;</li>
 *   <li>{@code conveyor.jobs.finished} (type, status): jobs reaching a final status;</li>
 *   <li>{@code conveyor.job.duration} (type): created → completed, and {@code conveyor.job.processing} (type):
 *       started → completed of the last attempt, both with a percentile histogram for
 *       {@code histogram_quantile};</li>
 *   <li>{@code conveyor.rows.validated} (type, outcome = valid|error): from a finished job's
 *       {@code valid_rows}/{@code error_rows};</li>
 *   <li>{@code conveyor.jobs.retried} (type): failed attempts that will run again (each job.retrying);</li>
 *   <li>{@code conveyor.jobs.dead_lettered} (type): jobs whose attempts ran out;</li>
 *   <li>{@code conveyor.events.emitted} (event_type): lifecycle events written;</li>
 *   <li>{@code conveyor.queue.depth} (lane, status = QUEUED|RETRYING): jobs waiting, sampled from the jobs table
 *       by the {@code metrics-sampler} route ({@link #sampleQueueDepth()}).</li>
 * </ul>
 * The event sinks' own metrics ({@code conveyor.events.delivered}, {@code .dropped}, {@code .sink.backlog}) are
 * kept by {@link dev.conveyor.telemetry.sinks.EventSinks}.
 * Counters and timers move only when the transaction that made the change commits ({@link AfterCommit}).
 * Histogram buckets can be overridden with Spring Boot's {@code management.metrics.distribution.*} keys.
 */
@Component("jobMetrics")
public class JobMetrics implements LifecycleMetrics {

    public static final String SUBMITTED = "conveyor.jobs.submitted";
    public static final String FINISHED = "conveyor.jobs.finished";
    public static final String DURATION = "conveyor.job.duration";
    public static final String PROCESSING = "conveyor.job.processing";
    public static final String ROWS_VALIDATED = "conveyor.rows.validated";
    public static final String RETRIED = "conveyor.jobs.retried";
    public static final String DEAD_LETTERED = "conveyor.jobs.dead_lettered";
    public static final String EVENTS_EMITTED = "conveyor.events.emitted";
    public static final String QUEUE_DEPTH = "conveyor.queue.depth";
    public static final String SET_WRITES = "conveyor.db.set_writes";
    public static final String SET_WRITE_SIZE = "conveyor.db.set_write_size";
    public static final String SET_WRITE_WAIT = "conveyor.db.set_write_wait";

    /** The statuses a waiting job has; each lane has a queue depth gauge for each. */
    public static final List<JobStatus> WAITING = List.of(JobStatus.QUEUED, JobStatus.RETRYING);

    /**
     * Jobs waiting per lane and status, in one grouped query. A job gets its lane when a worker claims it, so a
     * first attempt has none yet: it is counted under the lane its priority suggests (high, low, else normal).
     */
    static final String QUEUE_DEPTH_SQL = """
            SELECT coalesce(lane, CASE priority WHEN 'high' THEN 'high' WHEN 'low' THEN 'low' ELSE 'normal' END)
                       AS lane,
                   status, count(*) AS jobs
            FROM jobs
            WHERE status IN ('QUEUED', 'RETRYING')
            GROUP BY 1, 2
            """;

    private static final Logger log = LoggerFactory.getLogger(JobMetrics.class);

    private final MeterRegistry registry;
    private final JdbcTemplate jdbc;
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();
    private final Map<String, Timer> processing = new ConcurrentHashMap<>();
    private final Map<Lane, Map<JobStatus, AtomicLong>> depth = new EnumMap<>(Lane.class);
    private final Timer setWrites;
    private final DistributionSummary setWriteSize;
    private final Timer setWriteWait;

    public JobMetrics(MeterRegistry registry, JdbcTemplate jdbc) {
        this.registry = registry;
        this.jdbc = jdbc;
        // Every status change, submission and event goes through the set writer: how long its sets take and how
        // large they are says whether PostgreSQL or the writer is what the requests and workers wait on
        // (docs/monitoring.md, "The set writer").
        this.setWrites = Timer.builder(SET_WRITES)
                .description("Sets of job changes written by the set writer, each in one transaction: how long each took")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        this.setWriteSize = DistributionSummary.builder(SET_WRITE_SIZE)
                .description("Changes (submissions, claims, endings ...) in each set the set writer wrote")
                .baseUnit("changes")
                .register(registry);
        this.setWriteWait = Timer.builder(SET_WRITE_WAIT)
                .description("How long a request or a worker waited for its changes to be written: the writer's "
                        + "queue and the flush of the set they joined")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        for (Lane lane : Lane.values()) {
            Map<JobStatus, AtomicLong> byStatus = new EnumMap<>(JobStatus.class);
            for (JobStatus status : WAITING) {
                AtomicLong value = new AtomicLong();
                Gauge.builder(QUEUE_DEPTH, value, AtomicLong::get)
                        .description("Jobs waiting in the jobs table, by lane and status (sampled)")
                        .tag("lane", lane.wireName())
                        .tag("status", status.name())
                        .register(registry);
                byStatus.put(status, value);
            }
            depth.put(lane, byStatus);
        }
    }

    @Override
    public void setWritten(int items, long nanos) {
        setWrites.record(nanos, TimeUnit.NANOSECONDS);
        setWriteSize.record(items);
    }

    @Override
    public void setWriteWaited(long nanos) {
        setWriteWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A job row was created (call only when it really was: an idempotent replay is not a submission). */
    @Override
    public void jobSubmitted(Job job) {
        String type = job.type();
        String source = job.source() == null ? "unknown" : job.source();
        AfterCommit.run(() -> Counter.builder(SUBMITTED)
                .description("Jobs created, by type and source (idempotent replays are not counted)")
                .tag("type", type)
                .tag("source", source)
                .register(registry)
                .increment());
    }

    /**
     * A job changed state at the end of an attempt; counted when that state is final. {@code metrics} are the
     * outcome's metrics, whose {@code valid_rows}/{@code error_rows} feed {@code conveyor.rows.validated}.
     */
    @Override
    public void jobFinished(Job job, Map<String, Object> metrics) {
        if (!job.status().isTerminal()) {
            return;
        }
        String type = job.type();
        String status = job.status().name();
        Duration total = between(job.createdAt(), job.completedAt());
        Duration ran = between(job.startedAt(), job.completedAt());
        Long valid = count(metrics, "valid_rows");
        Long errors = count(metrics, "error_rows");
        AfterCommit.run(() -> {
            Counter.builder(FINISHED)
                    .description("Jobs that reached a final status, by type and status")
                    .tag("type", type)
                    .tag("status", status)
                    .register(registry)
                    .increment();
            if (total != null) {
                durations.computeIfAbsent(type, this::durationTimer).record(total);
            }
            if (ran != null) {
                processing.computeIfAbsent(type, this::processingTimer).record(ran);
            }
            if (valid != null) {
                rows(type, "valid").increment(valid);
            }
            if (errors != null) {
                rows(type, "error").increment(errors);
            }
        });
    }

    /** A failed attempt was rescheduled (RETRYING): counted when its transaction commits. */
    @Override
    public void jobRetried(Job job) {
        String type = job.type();
        AfterCommit.run(() -> Counter.builder(RETRIED)
                .description("Failed attempts that will run again (job.retrying), by type")
                .tag("type", type)
                .register(registry)
                .increment());
    }

    /** A job's attempts ran out (DEAD_LETTERED): counted when its transaction commits. */
    @Override
    public void jobDeadLettered(Job job) {
        String type = job.type();
        AfterCommit.run(() -> Counter.builder(DEAD_LETTERED)
                .description("Jobs set aside in the dead-letter channel after their last attempt, by type")
                .tag("type", type)
                .register(registry)
                .increment());
    }

    /** A lifecycle event was written (counted when its transaction commits). */
    public void eventEmitted(String eventType) {
        AfterCommit.run(() -> Counter.builder(EVENTS_EMITTED)
                .description("Lifecycle events written, by event type")
                .tag("event_type", eventType)
                .register(registry)
                .increment());
    }

    /**
     * Samples the queue depth gauges with one grouped query; lanes and statuses with no waiting jobs read 0.
     * On a database error the gauges keep their last values and the error is logged.
     *
     * @return the number of waiting jobs seen
     */
    public long sampleQueueDepth() {
        Map<Lane, Map<JobStatus, Long>> seen = new EnumMap<>(Lane.class);
        try {
            jdbc.query(QUEUE_DEPTH_SQL, rs -> {
                Lane lane = laneOf(rs.getString("lane"));
                JobStatus status = JobStatus.valueOf(rs.getString("status"));
                seen.computeIfAbsent(lane, l -> new EnumMap<>(JobStatus.class))
                        .merge(status, rs.getLong("jobs"), Long::sum);
            });
        } catch (DataAccessException e) {
            log.warn("queue depth not sampled, the gauges keep their last values: {}", e.getMessage());
            return -1;
        }
        long total = 0;
        for (Lane lane : Lane.values()) {
            for (JobStatus status : WAITING) {
                long value = seen.getOrDefault(lane, Map.of()).getOrDefault(status, 0L);
                depth.get(lane).get(status).set(value);
                total += value;
            }
        }
        return total;
    }

    /** The last sampled depth of one lane and status. */
    public long queueDepth(Lane lane, JobStatus status) {
        AtomicLong value = depth.get(lane).get(status);
        return value == null ? 0 : value.get();
    }

    private static Lane laneOf(String name) {
        try {
            return Lane.fromWireName(name);
        } catch (IllegalArgumentException e) {
            return Lane.NORMAL; // a lane name this version does not know: count it rather than lose it
        }
    }

    private Counter rows(String type, String outcome) {
        return Counter.builder(ROWS_VALIDATED)
                .description("Rows validated by finished jobs, by type and outcome (valid|error)")
                .tag("type", type)
                .tag("outcome", outcome)
                .register(registry);
    }

    /** Created → completed: includes the wait in the queue (and for a future run_at). 10 ms to 2 h. */
    private Timer durationTimer(String type) {
        return Timer.builder(DURATION)
                .description("Time from submission to the final status, by type")
                .tag("type", type)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofHours(2))
                .serviceLevelObjectives(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30),
                        Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1))
                .register(registry);
    }

    /** Started → completed of the attempt that ended the job. 1 ms to 1 h. */
    private Timer processingTimer(String type) {
        return Timer.builder(PROCESSING)
                .description("Time a worker spent on the attempt that ended the job, by type")
                .tag("type", type)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .serviceLevelObjectives(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
                        Duration.ofMinutes(15))
                .register(registry);
    }

    private static Duration between(Instant from, Instant to) {
        if (from == null || to == null || to.isBefore(from)) {
            return null;
        }
        return Duration.between(from, to);
    }

    /** A non-negative row count from outcome metrics; null when absent or not a number. */
    static Long count(Map<String, Object> metrics, String key) {
        if (metrics == null) {
            return null;
        }
        Object value = metrics.get(key);
        long n;
        if (value instanceof Number number) {
            n = number.longValue();
        } else if (value instanceof String text) {
            try {
                n = Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        } else {
            return null;
        }
        return n < 0 ? null : n;
    }
}
