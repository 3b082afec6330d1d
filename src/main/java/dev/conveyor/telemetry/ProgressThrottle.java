package dev.conveyor.telemetry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Decides when a running job's progress report also becomes a job.progress event: the first report of an
 * attempt, then at most one every {@code conveyor.telemetry.progress.every-seconds} (0: every report). The
 * reports in between still move jobs.progress and the lease; only the event is spared, so a million-row file
 * reporting every few thousand rows does not write hundreds of events.
 */
@Component
public class ProgressThrottle {

    /** Above this many remembered attempts, those whose interval has passed are forgotten. */
    private static final int SWEEP_ABOVE = 1024;

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    /** Attempt (job_id#attempt) → when its last progress event was allowed. */
    private final Map<String, Long> lastEvent = new ConcurrentHashMap<>();

    @Autowired
    public ProgressThrottle(@Value("${conveyor.telemetry.progress.every-seconds:5}") long everySeconds) {
        this(Duration.ofSeconds(everySeconds), System::nanoTime);
    }

    ProgressThrottle(Duration interval, LongSupplier nanoClock) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("conveyor.telemetry.progress.every-seconds must not be negative");
        }
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Whether this attempt's progress report is due for an event now; when it is, its interval starts again. */
    public boolean due(String jobId, int attempt) {
        long now = nanoClock.getAsLong();
        boolean[] due = {false};
        lastEvent.compute(jobId + '#' + attempt, (key, last) -> {
            if (last == null || now - last >= intervalNanos) {
                due[0] = true;
                return now;
            }
            return last;
        });
        if (due[0] && lastEvent.size() > SWEEP_ABOVE) {
            // an entry whose interval has passed answers like no entry at all, so forgetting it changes nothing:
            // this keeps the map as small as the attempts that reported within the last interval
            lastEvent.values().removeIf(last -> now - last >= intervalNanos);
        }
        return due[0];
    }
}
