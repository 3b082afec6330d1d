package dev.conveyor.job;

import java.util.Map;

/**
 * What the lifecycle tells the metrics about the changes it writes, each call inside the change's transaction
 * (an implementation counts after the commit). The job package declares it and telemetry implements it, so the
 * core depends on no package above it (docs/architecture.md, "Packages").
 */
public interface LifecycleMetrics {

    /** A job row was created (an idempotent replay is not a submission). */
    void jobSubmitted(Job job);

    /** An attempt ended; {@code metrics} are the outcome's (valid_rows, error_rows ...). */
    void jobFinished(Job job, Map<String, Object> metrics);

    /** A failed attempt was rescheduled: RETRYING. */
    void jobRetried(Job job);

    /** A job's attempts ran out: DEAD_LETTERED. */
    void jobDeadLettered(Job job);

    /**
     * The set writer wrote one set of {@code items} changes in one transaction (committed or failed), which took
     * {@code nanos}. Called after the set's transaction ended, not inside it.
     */
    default void setWritten(int items, long nanos) {
    }

    /**
     * A caller (a request, a worker's claim or ending) waited {@code nanos} for its changes to be written: its time
     * in the writer's queue and the flush of the set it joined. Called once per hand-in, after it was answered.
     */
    default void setWriteWaited(long nanos) {
    }
}
