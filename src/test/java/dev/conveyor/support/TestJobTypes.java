package dev.conveyor.support;

import dev.conveyor.worker.FlakyProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Job types that exist only in tests: {@code test_flaky} fails on purpose (see FlakyProcessor), and
 * {@code test_flaky_limited} is the same job under a 2 s time limit (TestEnvironment), for the tests of an attempt
 * that runs out of time, while a slow {@code test_flaky} may run its whole 10 s.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestJobTypes {

    @Bean
    public FlakyProcessor flakyProcessor() {
        return new FlakyProcessor();
    }

    @Bean
    public FlakyProcessor timeLimitedFlakyProcessor() {
        return new FlakyProcessor("test_flaky_limited");
    }
}
