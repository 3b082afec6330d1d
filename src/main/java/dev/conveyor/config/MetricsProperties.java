package dev.conveyor.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * {@code conveyor.metrics}. Read by the metrics-sampler route ({@code {{conveyor.metrics.queue-depth-period-ms}}});
 * bound here so the value is checked at start. Defaults: application.yaml only (docs/configuration.md).
 *
 * @param queueDepthPeriodMs how often the conveyor.queue.depth gauges are sampled from the jobs table
 */
@ConfigurationProperties("conveyor.metrics")
public record MetricsProperties(long queueDepthPeriodMs) implements Validator {

    @Override
    public boolean supports(Class<?> type) {
        return MetricsProperties.class.isAssignableFrom(type);
    }

    @Override
    public void validate(Object target, Errors errors) {
        new Checks(errors).atLeast("queueDepthPeriodMs", ((MetricsProperties) target).queueDepthPeriodMs, 1);
    }
}
