package dev.conveyor.job;

/**
 * The steps of a batch that emit an event, beside the jobs' own ({@link EventType}); {@link #wireName()} is the
 * event_type on the wire: {@code batch.started} when a batch is written with its first jobs, {@code batch.completed}
 * when it closes, with its counts.
 */
public enum BatchEventType {
    STARTED, COMPLETED;

    public String wireName() {
        return "batch." + name().toLowerCase(java.util.Locale.ROOT);
    }
}
