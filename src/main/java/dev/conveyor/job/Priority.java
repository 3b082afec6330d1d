package dev.conveyor.job;

import java.util.Locale;
import java.util.Optional;

public enum Priority {
    HIGH, NORMAL, LOW;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Priority> parse(String value) {
        if (value == null) {
            return Optional.of(NORMAL);
        }
        for (Priority p : values()) {
            if (p.wireName().equals(value)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
