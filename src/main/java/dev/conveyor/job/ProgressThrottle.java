package dev.conveyor.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.conveyor.config.TelemetryProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Decides when a running job's progress report also becomes a job.progress event: once the attempt has run
 * {@code conveyor.telemetry.progress.every-seconds}, then at most once per that interval (0: every report). So
 * only long jobs emit them, and a million-row file reporting every few thousand rows writes one event every few
 * seconds, not hundreds; the reports in between still move jobs.progress and the lease.
 */
@Component
public class ProgressThrottle {

    /** Above this many remembered attempts, those whose interval has passed are forgotten. */
    private static final int SWEEP_ABOVE = 1024;

    private final long intervalMs;
    private final Clock clock;
    /** Attempt (job_id#attempt) → when its last progress event was allowed (at first: when it started). */
    private final Map<String, Long> lastEvent = new ConcurrentHashMap<>();

    @Autowired
    public ProgressThrottle(TelemetryProperties telemetry) {
        this(Duration.ofSeconds(telemetry.progress().everySeconds()), Clock.systemUTC());
    }

    ProgressThrottle(Duration interval, Clock clock) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("conveyor.telemetry.progress.every-seconds must not be negative");
        }
        this.intervalMs = interval.toMillis();
        this.clock = clock;
    }

    /**
     * Whether this attempt's progress report is due for an event now; when it is, its interval starts again.
     *
     * @param startedAt when the attempt started (null: now)
     */
    public boolean due(String jobId, int attempt, Instant startedAt) {
        long now = clock.millis();
        boolean[] due = {false};
        lastEvent.compute(jobId + '#' + attempt, (key, last) -> {
            long since = last != null ? last : startedAt != null ? startedAt.toEpochMilli() : now;
            if (now - since >= intervalMs) {
                due[0] = true;
                return now;
            }
            return since;
        });
        if (due[0] && lastEvent.size() > SWEEP_ABOVE) {
            // an entry whose interval has passed answers as no entry does (the attempt started even earlier), so
            // forgetting it changes nothing: the map stays as small as the attempts inside their interval
            lastEvent.values().removeIf(last -> now - last >= intervalMs);
        }
        return due[0];
    }
}
