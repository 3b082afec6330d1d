package dev.conveyor.config;

import java.time.Duration;

import org.springframework.validation.Errors;

/**
 * The constraints of the configuration records, checked while Spring Boot binds them: a record of the model
 * implements Spring's {@link org.springframework.validation.Validator} and states its limits with these. A value out
 * of bounds is rejected under its key's path ({@code dispatcher.batchSize} is reported as
 * {@code conveyor.dispatcher.batch-size}), the start stops, and {@link StartFailureAnalyzers.BadSetting} names the
 * key, its variable, the value and what is allowed. Each reason carries the value itself: the bound property Spring
 * Boot reports is the text of application.yaml, placeholder and all.
 */
final class Checks {

    private final Errors errors;

    Checks(Errors errors) {
        this.errors = errors;
    }

    Checks atLeast(String path, long value, long min) {
        if (value < min) {
            reject(path, value, "must be at least " + min);
        }
        return this;
    }

    Checks between(String path, long value, long min, long max) {
        if (value < min || value > max) {
            reject(path, value, "must be " + min + " to " + max);
        }
        return this;
    }

    Checks between(String path, double value, double min, double max) {
        if (value < min || value > max) {
            reject(path, value, "must be " + min + " to " + max);
        }
        return this;
    }

    Checks positive(String path, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            reject(path, value, "must be a positive duration (30s, 10m, 2h)");
        }
        return this;
    }

    Checks present(String path, Object value) {
        if (value == null) {
            reject(path, null, "must be set");
        }
        return this;
    }

    /** An extra rule of one record, stated as a condition that must hold. */
    Checks holds(String path, Object value, boolean condition, String requirement) {
        if (!condition) {
            reject(path, value, requirement);
        }
        return this;
    }

    private void reject(String path, Object value, String requirement) {
        errors.rejectValue(path, "conveyor.invalid", requirement + " (is " + (value == null ? "unset" : value) + ")");
    }
}
