package dev.conveyor.worker;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import dev.conveyor.job.JobOutcome;

/**
 * A job type for tests of failure handling. {@code transient} throws an IOException and {@code permanent} a
 * PermanentJobException while the attempt number is at most {@code fail_times} (always, when absent) and the
 * outside world is not "healthy"; {@code slow} works for up to 10 s, reporting progress (and one more row done)
 * every 25 ms.
 */
public class FlakyProcessor implements JobProcessor {

    /** The outside world this job depends on: once healthy, every attempt succeeds. */
    public static final AtomicBoolean HEALTHY = new AtomicBoolean(false);

    private final String type;

    public FlakyProcessor() {
        this("test_flaky");
    }

    /** The same job under another type name, which configuration can give settings of its own. */
    public FlakyProcessor(String type) {
        this.type = type;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public JobOutcome process(JobContext context) throws IOException {
        String mode = context.payload().get("mode").asText();
        int failTimes = context.payload().path("fail_times").asInt(Integer.MAX_VALUE);
        boolean fails = !HEALTHY.get() && context.job().attempts() <= failTimes;
        switch (mode) {
            case "transient" -> {
                if (fails) {
                    throw new IOException("the service answered 503 (attempt " + context.job().attempts() + ")");
                }
            }
            case "permanent" -> {
                if (fails) {
                    throw new PermanentJobException("the payload names a listing that does not exist");
                }
            }
            default -> {
                // slow work: progress checkpoints are where a cancellation is noticed
                for (int step = 1; step <= 400; step++) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(25));
                    context.progress().report(step / 4, step); // a "row" per step
                }
            }
        }
        return JobOutcome.success(Map.of("attempt", context.job().attempts()));
    }
}
