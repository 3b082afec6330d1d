package dev.conveyor.processors;

import java.util.Map;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.JobOutcome;
import dev.conveyor.worker.JobContext;
import dev.conveyor.worker.JobProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.stereotype.Component;

/**
 * {@code noop}: does nothing and succeeds. It exists so that bench/run's W0 drain measures what every job pays —
 * dispatch, claim, finish and their events — with no domain work on top. It is a bean, and so a job type, only when
 * {@code conveyor.bench.noop-jobs} is on: otherwise intake refuses {@code noop} as an unknown type (422) and a
 * {@code noop} row that reaches a worker anyway fails as a job with no processor, as any unknown type does.
 */
@Component
@Conditional(NoopProcessor.Enabled.class)
public class NoopProcessor implements JobProcessor {

    public static final String TYPE = "noop";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public JobOutcome process(JobContext context) {
        return JobOutcome.success(Map.of());
    }

    /**
     * Reads the switch through {@link ConveyorProperties.Bench}, so its default and type live in the one typed model;
     * a condition runs before that model is a bean, so it binds the record itself.
     */
    static class Enabled implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return Binder.get(context.getEnvironment())
                    .bind("conveyor.bench", ConveyorProperties.Bench.class)
                    .map(ConveyorProperties.Bench::noopJobs)
                    .orElse(false);
        }
    }
}
