package dev.conveyor.telemetry;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When a progress report becomes a job.progress event: pure logic on a clock the test moves. */
class ProgressThrottleTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final ProgressThrottle throttle = new ProgressThrottle(Duration.ofSeconds(5), now::get);

    @Test
    void theFirstReportOfAnAttemptIsDueThenAtMostOneEveryInterval() {
        assertThat(throttle.due("job_a", 1)).isTrue();
        advance(Duration.ofMillis(100));
        assertThat(throttle.due("job_a", 1)).isFalse();
        advance(Duration.ofMillis(4_899));
        assertThat(throttle.due("job_a", 1)).as("4.999 s after the last event").isFalse();
        advance(Duration.ofMillis(1));
        assertThat(throttle.due("job_a", 1)).as("5 s after the last event").isTrue();
        advance(Duration.ofSeconds(1));
        assertThat(throttle.due("job_a", 1)).as("the interval starts again at each event").isFalse();
    }

    @Test
    void manyReportsOverALongRunGiveOneEventPerInterval() {
        int events = 0;
        // a report every 50 ms for 60 s
        for (int report = 0; report < 1200; report++) {
            if (throttle.due("job_long", 1)) {
                events++;
            }
            advance(Duration.ofMillis(50));
        }
        assertThat(events).isEqualTo(12);
    }

    @Test
    void eachJobAndEachAttemptHasItsOwnInterval() {
        assertThat(throttle.due("job_a", 1)).isTrue();
        assertThat(throttle.due("job_b", 1)).isTrue();
        assertThat(throttle.due("job_a", 2)).as("the retry of job_a").isTrue();
        assertThat(throttle.due("job_a", 1)).isFalse();
        assertThat(throttle.due("job_b", 1)).isFalse();
    }

    @Test
    void attemptsForgottenToKeepTheMapSmallAreOnlyThoseWhoseIntervalHasPassed() {
        for (int job = 0; job < 2000; job++) {
            assertThat(throttle.due("job_" + job, 1)).isTrue();
        }
        advance(Duration.ofSeconds(1));
        // the sweep this triggers must not forget attempts still inside their interval
        assertThat(throttle.due("job_new", 1)).isTrue();
        assertThat(throttle.due("job_7", 1)).isFalse();
        advance(Duration.ofSeconds(4));
        assertThat(throttle.due("job_7", 1)).isTrue();
    }

    @Test
    void zeroSecondsMakesEveryReportAnEventAndANegativeIntervalIsRefused() {
        ProgressThrottle every = new ProgressThrottle(Duration.ZERO, now::get);
        assertThat(every.due("job_a", 1)).isTrue();
        assertThat(every.due("job_a", 1)).isTrue();
        assertThatThrownBy(() -> new ProgressThrottle(Duration.ofSeconds(-1), now::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every-seconds");
    }

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }
}
