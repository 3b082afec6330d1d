package dev.conveyor.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * The service's clock in tests (the one that decides when a job is due and when a lease has run out,
 * docs/architecture.md "Time"): the system clock, moved forward when a test says so, so that a test of a delay
 * moves the time instead of waiting for it. Every service of {@link ConveyorIntegrationTest} has one
 * ({@link Registration}); it runs with the system clock until a test calls {@link #advance}, and is back on the system
 * clock after each test ({@link ResetAfterEach}).
 *
 * <p>Only forward: the time of the jobs the shared service still holds (other tests' jobs due in an hour, leases
 * of running jobs) would otherwise move away from them. A test moves it by less than the lease (60 s) unless
 * leases or stale publications are what it tests: every lease the shared service holds runs out with the one the
 * test means (docs/testing.md, "Waiting in tests").
 */
public final class MutableClock extends Clock {

    private final Clock system = Clock.systemUTC();
    private final AtomicReference<Duration> ahead = new AtomicReference<>(Duration.ZERO);

    /** Moves the clock forward by {@code by}; it keeps running from there. */
    public void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("the test clock only moves forward (was asked to move " + by + ")");
        }
        ahead.accumulateAndGet(by, Duration::plus);
    }

    /** Back to the system clock. */
    public void reset() {
        ahead.set(Duration.ZERO);
    }

    /** How far ahead of the system clock it is. */
    public Duration ahead() {
        return ahead.get();
    }

    @Override
    public Instant instant() {
        return system.instant().plus(ahead.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the service's clock is UTC");
    }

    /** The service's clock is this one: it wins over the production bean (config/ClockConfig). */
    @TestConfiguration(proxyBeanMethods = false)
    public static class Registration {

        @Bean
        @Primary
        public MutableClock mutableClock() {
            return new MutableClock();
        }
    }

    /**
     * Puts the clock back on the system clock after each test, so that a test that moved the shared service's
     * time hands the next test a service on time. Runs before Spring's own after-test work (extensions registered
     * later run their after-callbacks first), while the context is still open.
     */
    public static class ResetAfterEach implements AfterEachCallback {

        @Override
        public void afterEach(ExtensionContext context) {
            SpringExtension.getApplicationContext(context).getBeanProvider(MutableClock.class)
                    .ifAvailable(MutableClock::reset);
        }
    }
}
