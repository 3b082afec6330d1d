package dev.conveyor.worker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The moving average of a type's attempts, which the dispatcher sizes its sets by. */
class AttemptDurationsTest {

    private final AttemptDurations durations = new AttemptDurations();

    @Test
    void aTypeNeverRunHasNoAverage() {
        assertThat(durations.averageMillis("noop")).isEmpty();
    }

    @Test
    void theFirstAttemptIsTheAverageAndLaterOnesMoveItByTheirWeight() {
        durations.record("noop", 4_000_000);
        assertThat(durations.averageMillis("noop")).hasValue(4.0);
        durations.record("noop", 14_000_000);
        assertThat(durations.averageMillis("noop").getAsDouble())
                .isCloseTo(4.0 + AttemptDurations.NEWEST_WEIGHT * 10.0, within(1e-9));
        assertThat(durations.averageMillis("csv_validation")).isEmpty();
    }

    @Test
    void aTypeThatSlowsDownIsFollowedWithinSomeTensOfAttempts() {
        for (int i = 0; i < 20; i++) {
            durations.record("enrich", 1_000_000);
        }
        for (int i = 0; i < 50; i++) {
            durations.record("enrich", 200_000_000);
        }
        assertThat(durations.averageMillis("enrich").getAsDouble()).isGreaterThan(190.0);
    }
}
