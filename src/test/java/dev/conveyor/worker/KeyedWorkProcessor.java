package dev.conveyor.worker;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.conveyor.job.JobOutcome;

/**
 * A job type for tests of per-key limits: works {@code millis} ms and records when its work began and ended, per
 * job, in {@link #RUNS} — what a limit promises is about the work itself, not the times the table records around it.
 */
public class KeyedWorkProcessor implements JobProcessor {

    /** One attempt's work: the job, its payload's key, and System.nanoTime at its start and end. */
    public record Run(String jobId, String tenant, String key, long startNanos, long endNanos) {

        public boolean overlaps(Run other) {
            return startNanos < other.endNanos && other.startNanos < endNanos;
        }
    }

    public static final Queue<Run> RUNS = new ConcurrentLinkedQueue<>();

    private final String type;

    public KeyedWorkProcessor(String type) {
        this.type = type;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public JobOutcome process(JobContext context) {
        long start = System.nanoTime();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(context.payload().path("millis").asLong(0)));
        RUNS.add(new Run(context.job().jobId(), context.job().tenantId(), context.payload().path("key").asText(),
                start, System.nanoTime()));
        return JobOutcome.success(Map.of());
    }
}
