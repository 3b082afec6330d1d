package dev.conveyor.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * {@code conveyor.telemetry.validate-events} and {@code conveyor.telemetry.progress}: how events are written. The
 * event store ({@code conveyor.telemetry.store}) and the sinks ({@code conveyor.telemetry.sinks}) have records of
 * their own in the telemetry package. Defaults: application.yaml only (docs/configuration.md).
 *
 * @param validateEvents every event is checked against its schema before it is written (the tests turn it on)
 */
@ConfigurationProperties("conveyor.telemetry")
public record TelemetryProperties(
        boolean validateEvents,
        @DefaultValue Progress progress) implements Validator {

    /**
     * @param everySeconds a running attempt's progress reports become job.progress events once it has run this
     *                     long, then at most once per this interval; 0: every report
     */
    public record Progress(long everySeconds) {
    }

    @Override
    public boolean supports(Class<?> type) {
        return TelemetryProperties.class.isAssignableFrom(type);
    }

    @Override
    public void validate(Object target, Errors errors) {
        new Checks(errors).atLeast("progress.everySeconds", ((TelemetryProperties) target).progress.everySeconds, 0);
    }
}
