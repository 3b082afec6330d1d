package dev.conveyor.support;

import dev.conveyor.worker.FlakyProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Job types that exist only in tests: {@code test_flaky} fails on purpose (see FlakyProcessor). */
@TestConfiguration(proxyBeanMethods = false)
public class TestJobTypes {

    @Bean
    public FlakyProcessor flakyProcessor() {
        return new FlakyProcessor();
    }
}
