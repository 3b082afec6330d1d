package dev.conveyor.config;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Recurring schedules (docs/schedules.md): those declared under {@code conveyor.schedules.<name>}, and how the ticker
 * that fires them runs ({@code conveyor.scheduler}). A record of its own beside {@link ConveyorProperties}, so the
 * schedules' keys stay in one place. Defaults: application.yaml only (docs/configuration.md).
 */
@ConfigurationProperties("conveyor")
public record ScheduleProperties(
        @DefaultValue Map<String, Declared> schedules,
        @DefaultValue Scheduler scheduler) {

    /**
     * One schedule as application.yaml declares it; checked, with the API's rules, when the service starts.
     *
     * @param job     the body {@code POST /jobs} takes
     * @param misfire {@code skip} or {@code run_once}; empty: skip
     */
    public record Declared(String cron, String zone, Map<String, Object> job, String misfire) {
    }

    /**
     * @param pollMs       how often each instance looks for due schedules
     * @param misfireGrace a tick fired later than this after its time was missed (the service was down, or its
     *                     clock jumped), and follows the schedule's misfire policy
     */
    public record Scheduler(long pollMs, Duration misfireGrace) {

        /*
         * Checked here, not by implementing Validator as the other records do: Spring Boot hands a self-validating
         * record's validator every value bound under it, and a job's fields (Map<String, Object>) are not records.
         */
        public Scheduler {
            if (pollMs < 10) {
                throw new IllegalArgumentException("conveyor.scheduler.poll-ms must be at least 10 (was " + pollMs
                        + ")");
            }
            if (misfireGrace == null || misfireGrace.isNegative()) {
                throw new IllegalArgumentException("conveyor.scheduler.misfire-grace must be a duration of 0 or "
                        + "more (was " + misfireGrace + ")");
            }
        }
    }
}
