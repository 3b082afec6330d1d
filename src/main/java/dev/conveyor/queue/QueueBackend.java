package dev.conveyor.queue;

import java.util.Locale;

/** The technologies that can carry the lanes; chosen by {@code conveyor.queue.backend} (QUEUE_BACKEND). */
public enum QueueBackend {
    MEMORY, KAFKA, SQS;

    public static QueueBackend of(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("QUEUE_BACKEND must be memory, kafka or sqs (was '" + name + "')");
        }
    }

    /** True when the queue keeps nothing across a restart, so unclaimed jobs must be published again. */
    public boolean isVolatile() {
        return this == MEMORY;
    }
}
