package dev.conveyor.schedule;

import java.time.Instant;

/**
 * A row of the schedules table (V30): a definition, who owns it, and where its ticks stand.
 *
 * @param job       the body POST /jobs takes, as JSON text
 * @param origin    {@code config} (application.yaml owns it) or {@code api}
 * @param createdBy the API key that last put it; its jobs are recorded as that key's (null for a declared one)
 */
public record Schedule(String name, String tenantId, String cron, String zone, String job, Misfire misfire,
                       boolean paused, Instant nextRunAt, Instant lastRunAt, String lastJobId, String origin,
                       String createdBy, Instant updatedAt) {

    public static final String CONFIG = "config";
    public static final String API = "api";

    public boolean declared() {
        return CONFIG.equals(origin);
    }
}
