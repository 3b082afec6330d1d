package dev.conveyor.job;

/**
 * The lifecycle steps that emit an event; {@link #wireName()} is the event_type on the wire. REQUEUED: a
 * RUNNING job handed back to the queue (QUEUED) without a failure — its instance shut down before it finished.
 */
public enum EventType {
    QUEUED, STARTED, PROGRESS, RETRYING, COMPLETED, FAILED, DEAD_LETTERED, CANCELLED, REQUEUED;

    public String wireName() {
        return "job." + name().toLowerCase(java.util.Locale.ROOT);
    }
}
