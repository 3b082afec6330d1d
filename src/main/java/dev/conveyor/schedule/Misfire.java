package dev.conveyor.schedule;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a schedule does with the ticks it missed while no instance could fire them (the service was down, or the
 * clock jumped past them): {@link #SKIP} them and go on with the next tick to come, or {@link #RUN_ONCE}: one job
 * for all of them together, then on.
 */
public enum Misfire {
    SKIP, RUN_ONCE;

    /** The name the API and application.yaml use: {@code skip}, {@code run_once}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The policy named {@code text}; a missing one is skip. */
    public static Optional<Misfire> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.of(SKIP);
        }
        return Arrays.stream(values()).filter(m -> m.wire().equals(text.trim().toLowerCase(Locale.ROOT))).findFirst();
    }
}
