package dev.conveyor.queue;

import java.time.Instant;
import java.util.Locale;

/** A paused lane or job type: who paused it and when (a row of queue_pauses). */
public record Pause(Kind kind, String name, String pausedBy, Instant pausedAt) {

    /** What can be paused: a lane (every job routed to it) or a job type (in whichever lane). */
    public enum Kind {
        LANE, TYPE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
