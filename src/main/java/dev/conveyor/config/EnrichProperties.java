package dev.conveyor.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * {@code conveyor.enrich}: the outside service of the {@code enrich} job type. The rate limit ({@code maxRequests}
 * per {@code periodMs}, per instance) is applied by the enrich-call route; the client uses the rest. Defaults:
 * application.yaml only (docs/configuration.md).
 *
 * @param url       the service; empty when no enrich job is expected
 * @param timeoutMs connect and response timeout of one call (a timeout is transient)
 */
@ConfigurationProperties("conveyor.enrich")
public record EnrichProperties(
        String url,
        long timeoutMs,
        int maxRequests,
        long periodMs,
        @DefaultValue Breaker breaker) implements Validator {

    /**
     * The circuit breaker around the calls: {@code failureRateThreshold} % of transient failures among the last
     * {@code slidingWindowSize} calls (once {@code minimumCalls} were made) opens it for {@code waitSecondsOpen},
     * then {@code halfOpenCalls} trial calls decide whether it closes.
     */
    public record Breaker(
            float failureRateThreshold,
            int minimumCalls,
            int slidingWindowSize,
            long waitSecondsOpen,
            int halfOpenCalls) {
    }

    @Override
    public boolean supports(Class<?> type) {
        return EnrichProperties.class.isAssignableFrom(type);
    }

    @Override
    public void validate(Object target, Errors errors) {
        EnrichProperties e = (EnrichProperties) target;
        new Checks(errors)
                .atLeast("timeoutMs", e.timeoutMs, 1)
                .atLeast("maxRequests", e.maxRequests, 1)
                .atLeast("periodMs", e.periodMs, 1)
                .holds("breaker.failureRateThreshold", e.breaker.failureRateThreshold,
                        e.breaker.failureRateThreshold > 0 && e.breaker.failureRateThreshold <= 100,
                        "must be above 0 and at most 100 (a percentage)")
                .atLeast("breaker.minimumCalls", e.breaker.minimumCalls, 1)
                .atLeast("breaker.slidingWindowSize", e.breaker.slidingWindowSize, 1)
                .atLeast("breaker.waitSecondsOpen", e.breaker.waitSecondsOpen, 1)
                .atLeast("breaker.halfOpenCalls", e.breaker.halfOpenCalls, 1);
    }
}
