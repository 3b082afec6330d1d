package dev.conveyor.config;

/**
 * The technologies that can carry the lanes, chosen by {@code conveyor.queue.backend} (QUEUE_BACKEND). Bound once,
 * in {@link QueueProperties}: any other value stops the start naming the key and these three (lower case in
 * configuration). It lives with the configuration model, not in the queue package, so the model depends on nothing.
 */
public enum QueueBackend {
    MEMORY, KAFKA, SQS;

    /** True when the queue keeps nothing across a restart, so unclaimed jobs must be published again. */
    public boolean isVolatile() {
        return this == MEMORY;
    }
}
