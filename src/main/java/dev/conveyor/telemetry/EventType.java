package dev.conveyor.telemetry;

/** The lifecycle steps that emit an event; {@link #wireName()} is the event_type on the wire. */
public enum EventType {
    QUEUED, STARTED, PROGRESS, RETRYING, COMPLETED, FAILED, DEAD_LETTERED, CANCELLED;

    public String wireName() {
        return "job." + name().toLowerCase(java.util.Locale.ROOT);
    }
}
