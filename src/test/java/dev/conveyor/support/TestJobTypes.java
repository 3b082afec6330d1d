package dev.conveyor.support;

import dev.conveyor.worker.FlakyProcessor;
import dev.conveyor.worker.KeyedWorkProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Job types that exist only in tests: {@code test_flaky} fails on purpose (see FlakyProcessor), and
 * {@code test_flaky_limited} is the same job under a 2 s time limit (TestEnvironment), for the tests of an attempt
 * that runs out of time, while a slow {@code test_flaky} may run its whole 10 s; {@code test_keyed},
 * {@code test_keyed_wide} and {@code test_rated} work a while under per-key concurrency and rate limits.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestJobTypes {

    @Bean
    public FlakyProcessor flakyProcessor() {
        return new FlakyProcessor();
    }

    /** Limited to one running job per payload key (TestEnvironment). */
    @Bean
    public KeyedWorkProcessor keyedWorkProcessor() {
        return new KeyedWorkProcessor("test_keyed");
    }

    /** Limited to 20 running jobs per tenant (TestEnvironment). */
    @Bean
    public KeyedWorkProcessor tenantLimitedWorkProcessor() {
        return new KeyedWorkProcessor("test_keyed_wide");
    }

    /** Limited to 5 starts a second per payload key, 2 saved up (TestEnvironment). */
    @Bean
    public KeyedWorkProcessor rateLimitedWorkProcessor() {
        return new KeyedWorkProcessor("test_rated");
    }

    @Bean
    public FlakyProcessor timeLimitedFlakyProcessor() {
        return new FlakyProcessor("test_flaky_limited");
    }
}
