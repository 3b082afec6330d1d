package dev.conveyor.queue;

import java.util.Locale;

/** The queue lanes a job can travel; each backend maps every lane to an endpoint in application.yaml. */
public enum Lane {
    HIGH, NORMAL, LOW, BULK;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Lane fromWireName(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
