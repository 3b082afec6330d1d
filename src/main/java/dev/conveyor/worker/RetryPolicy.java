package dev.conveyor.worker;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.ConveyorProperties.TypeRetry;
import org.springframework.stereotype.Component;

/**
 * How many attempts a job type gets and how long it waits between them: exponential backoff, capped, with
 * "equal jitter" (half the delay fixed, half random), so retries of many jobs that failed together spread out.
 */
@Component
public class RetryPolicy {

    private final int maxAttempts;
    private final Duration timeLimit;
    private final ConveyorProperties.Retry global;
    private final Map<String, TypeRetry> types;

    public RetryPolicy(ConveyorProperties properties) {
        this.maxAttempts = properties.worker().maxAttempts();
        this.timeLimit = properties.worker().timeLimit();
        this.global = properties.retry();
        this.types = properties.retry().types() == null ? Map.of() : properties.retry().types();
    }

    /** How long one attempt of the type may run before it is stopped. */
    public Duration timeLimit(String type) {
        TypeRetry own = types.get(type);
        return own != null && own.timeLimit() != null ? own.timeLimit() : timeLimit;
    }

    /** Whether an attempt stopped by its time limit is retried (the default) or fails the job. */
    public boolean retriesAfterTimeLimit(String type) {
        TypeRetry own = types.get(type);
        return own == null || own.timeLimitRetries() == null || own.timeLimitRetries();
    }

    public int maxAttempts(String type) {
        TypeRetry own = types.get(type);
        return own != null && own.maxAttempts() != null ? own.maxAttempts() : maxAttempts;
    }

    /** The wait before the attempt after {@code failedAttempt} (1 for the first run). */
    public Duration delayAfter(String type, int failedAttempt) {
        Duration cap = delayCap(type, failedAttempt);
        long millis = cap.toMillis();
        long half = millis / 2;
        return Duration.ofMillis(half + (millis - half == 0 ? 0 : ThreadLocalRandom.current().nextLong(millis - half + 1)));
    }

    /** The delay before jitter: initial × multiplier^(failedAttempt−1), at most the maximum. */
    Duration delayCap(String type, int failedAttempt) {
        TypeRetry own = types.get(type);
        Duration initial = own != null && own.backoffInitial() != null ? own.backoffInitial() : global.backoffInitial();
        double multiplier = own != null && own.backoffMultiplier() != null ? own.backoffMultiplier()
                : global.backoffMultiplier();
        Duration max = own != null && own.backoffMax() != null ? own.backoffMax() : global.backoffMax();
        double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
        return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
    }
}
