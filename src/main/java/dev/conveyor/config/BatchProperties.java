package dev.conveyor.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * {@code conveyor.batches}: how finished batches are closed (the batch-completion route). Defaults: application.yaml
 * only (docs/configuration.md).
 *
 * @param completionPeriodMs how often each instance looks for batches whose jobs are all final; the delay between a
 *                           batch's last job ending and the batch completing is at most this
 * @param completionMax      how many batches one look closes at most (each in its own short transaction)
 */
@ConfigurationProperties("conveyor.batches")
public record BatchProperties(long completionPeriodMs, int completionMax) implements Validator {

    @Override
    public boolean supports(Class<?> type) {
        return BatchProperties.class.isAssignableFrom(type);
    }

    @Override
    public void validate(Object target, Errors errors) {
        BatchProperties b = (BatchProperties) target;
        new Checks(errors)
                .atLeast("completionPeriodMs", b.completionPeriodMs, 1)
                .atLeast("completionMax", b.completionMax, 1);
    }
}
