package dev.conveyor.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.ConveyorProperties.Retry;
import dev.conveyor.config.ConveyorProperties.TypeRetry;
import dev.conveyor.config.ConveyorProperties.Worker;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(properties(Map.of("bulk_import",
            new TypeRetry(5, Duration.ofSeconds(30), 3.0, Duration.ofMinutes(30), Duration.ofHours(2), false))));

    @Test
    void theDelayGrowsExponentiallyFromTheInitialAndStopsAtTheCap() {
        assertThat(policy.delayCap("csv_validation", 1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delayCap("csv_validation", 2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delayCap("csv_validation", 3)).isEqualTo(Duration.ofSeconds(8));
        assertThat(policy.delayCap("csv_validation", 12)).isEqualTo(Duration.ofMinutes(10));
        assertThat(policy.delayCap("csv_validation", 400)).isEqualTo(Duration.ofMinutes(10));
    }

    @RepeatedTest(20)
    void jitterKeepsTheDelayBetweenHalfAndAllOfTheCap() {
        Duration delay = policy.delayAfter("csv_validation", 3);
        assertThat(delay).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
    }

    @Test
    void aJobTypeOverridesWhatItSetsAndInheritsTheRest() {
        assertThat(policy.maxAttempts("bulk_import")).isEqualTo(5);
        assertThat(policy.maxAttempts("csv_validation")).isEqualTo(3);
        assertThat(policy.delayCap("bulk_import", 2)).isEqualTo(Duration.ofSeconds(90));
        assertThat(policy.timeLimit("bulk_import")).isEqualTo(Duration.ofHours(2));
        assertThat(policy.timeLimit("csv_validation")).isEqualTo(Duration.ofHours(1));
        assertThat(policy.retriesAfterTimeLimit("bulk_import")).isFalse();
        assertThat(policy.retriesAfterTimeLimit("csv_validation")).isTrue();
    }

    private static ConveyorProperties properties(Map<String, TypeRetry> types) {
        return new ConveyorProperties(Path.of("data"), Path.of("schemas"), "default", "test", null, null, null,
                new Worker(60, 3, 10_000, Duration.ofHours(1), 1000, 1000), null, null, null, null, null, null, null,
                new Retry(Duration.ofSeconds(2), 2, Duration.ofMinutes(10), types), java.util.Map.of(), null);
    }
}
