package dev.conveyor.worker;

import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * How long each job type's attempts take in this instance, as a moving average of the recent ones: the dispatcher
 * sizes the sets it deals to a lane's workers by it (a set of jobs shares one message, one claim and one ending
 * statement, and a message costs about a millisecond of route steps whatever it carries, so a set of no-op jobs is
 * worth filling while a set of long jobs is worth spreading; docs/architecture.md, "The worker route").
 */
@Component
public class AttemptDurations {

    /** Weight of the newest attempt: the average follows a type whose jobs get slower within some tens of jobs. */
    static final double NEWEST_WEIGHT = 0.1;

    private final ConcurrentHashMap<String, Double> averageMillis = new ConcurrentHashMap<>();

    /** One attempt of the type took this long, whatever its outcome. */
    public void record(String type, long nanos) {
        double millis = nanos / 1_000_000.0;
        averageMillis.merge(type, millis, (average, newest) -> average + NEWEST_WEIGHT * (newest - average));
    }

    /** The type's average attempt; empty before its first attempt in this instance. */
    public OptionalDouble averageMillis(String type) {
        Double average = averageMillis.get(type);
        return average == null ? OptionalDouble.empty() : OptionalDouble.of(average);
    }
}
