package dev.conveyor.config;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The clock that decides when a job is due and when a lease has run out (docs/architecture.md, "Time"): the
 * system clock, in UTC. It is a bean so that a test moves the service's time instead of waiting for it.
 */
@Configuration(proxyBeanMethods = false)
public class ClockConfig {

    @Bean
    public Clock clock() {
        return Clock.systemUTC();
    }
}
