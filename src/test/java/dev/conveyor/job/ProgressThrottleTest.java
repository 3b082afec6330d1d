package dev.conveyor.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When a progress report becomes a job.progress event: pure logic on a clock the test moves. */
class ProgressThrottleTest {

    final MovingClock clock = new MovingClock(Instant.parse("2026-01-01T00:00:00Z"));
    final ProgressThrottle throttle = new ProgressThrottle(Duration.ofSeconds(5), clock);
    final Instant started = clock.instant();

    @Test
    void aReportIsDueOnceTheAttemptHasRunAnIntervalThenAtMostOnceAnInterval() {
        clock.advance(Duration.ofMillis(100));
        assertThat(throttle.due("job_a", 1, started)).as("a job running for 0.1 s").isFalse();
        clock.advance(Duration.ofMillis(4_899));
        assertThat(throttle.due("job_a", 1, started)).as("4.999 s after the start").isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(throttle.due("job_a", 1, started)).as("5 s after the start").isTrue();
        clock.advance(Duration.ofMillis(4_999));
        assertThat(throttle.due("job_a", 1, started)).as("4.999 s after the last event").isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(throttle.due("job_a", 1, started)).as("5 s after the last event").isTrue();
    }

    @Test
    void aShortJobEmitsNone() {
        for (int report = 0; report < 40; report++) {
            clock.advance(Duration.ofMillis(100));
            assertThat(throttle.due("job_short", 1, started)).isFalse();
        }
    }

    @Test
    void manyReportsOverALongRunGiveOneEventPerInterval() {
        int events = 0;
        // a report every 50 ms for 60 s
        for (int report = 1; report <= 1200; report++) {
            clock.advance(Duration.ofMillis(50));
            if (throttle.due("job_long", 1, started)) {
                events++;
            }
        }
        assertThat(events).isEqualTo(12);
    }

    @Test
    void eachJobAndEachAttemptHasItsOwnInterval() {
        clock.advance(Duration.ofSeconds(5));
        assertThat(throttle.due("job_a", 1, started)).isTrue();
        assertThat(throttle.due("job_b", 1, started)).isTrue();
        assertThat(throttle.due("job_a", 2, clock.instant())).as("the retry of job_a, just started").isFalse();
        assertThat(throttle.due("job_a", 1, started)).isFalse();
        assertThat(throttle.due("job_b", 1, started)).isFalse();
    }

    @Test
    void withoutAStartTimeTheIntervalCountsFromTheFirstReport() {
        assertThat(throttle.due("job_a", 1, null)).isFalse();
        clock.advance(Duration.ofSeconds(5));
        assertThat(throttle.due("job_a", 1, null)).isTrue();
    }

    @Test
    void attemptsForgottenToKeepTheMapSmallAreOnlyThoseWhoseIntervalHasPassed() {
        clock.advance(Duration.ofSeconds(5));
        for (int job = 0; job < 2000; job++) {
            assertThat(throttle.due("job_" + job, 1, started)).isTrue();
        }
        clock.advance(Duration.ofSeconds(1));
        // the sweep this triggers must not forget attempts still inside their interval
        assertThat(throttle.due("job_new", 1, started)).isTrue();
        assertThat(throttle.due("job_7", 1, started)).isFalse();
        clock.advance(Duration.ofSeconds(4));
        assertThat(throttle.due("job_7", 1, started)).isTrue();
    }

    @Test
    void zeroSecondsMakesEveryReportAnEventAndANegativeIntervalIsRefused() {
        ProgressThrottle every = new ProgressThrottle(Duration.ZERO, clock);
        assertThat(every.due("job_a", 1, started)).isTrue();
        assertThat(every.due("job_a", 1, started)).isTrue();
        assertThatThrownBy(() -> new ProgressThrottle(Duration.ofSeconds(-1), clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every-seconds");
    }

    /** A clock that moves only when told. */
    static final class MovingClock extends Clock {

        private Instant now;

        MovingClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
