package dev.conveyor.job;

/**
 * The one entry point for lifecycle events. Callers emit inside the transaction that changes the job's
 * state, so an event exists exactly when its state change does.
 */
public interface JobEventLog {

    void emit(JobEvent event);

    /** Many events in the caller's transaction; the same as emitting each in turn, possibly in fewer statements. */
    default void emitAll(java.util.List<JobEvent> events) {
        events.forEach(this::emit);
    }
}
