package dev.conveyor.telemetry;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code conveyor.telemetry.store} in application.yaml: how the job_events table is kept (monthly partitions
 * created ahead, dropped after the retention period) and how often the maintenance route runs; see
 * docs/configuration.md.
 *
 * @param partitionsAhead     months after the current one whose partitions always exist
 * @param retentionDays       a month's partition is dropped once the whole month is older than this
 * @param maintenancePeriodMs how often routes/telemetry-maintenance.camel.yaml runs (it also runs at start-up)
 */
@ConfigurationProperties("conveyor.telemetry.store")
public record EventStoreProperties(
        int partitionsAhead,
        int retentionDays,
        long maintenancePeriodMs) {

    public EventStoreProperties {
        if (partitionsAhead < 1) {
            throw new IllegalArgumentException("conveyor.telemetry.store.partitions-ahead (TELEMETRY_PARTITIONS_AHEAD)"
                    + " must be at least 1, was " + partitionsAhead);
        }
        if (retentionDays < 1) {
            throw new IllegalArgumentException("conveyor.telemetry.store.retention-days (TELEMETRY_RETENTION_DAYS)"
                    + " must be at least 1, was " + retentionDays);
        }
        if (maintenancePeriodMs < 1000) {
            throw new IllegalArgumentException("conveyor.telemetry.store.maintenance-period-ms"
                    + " (TELEMETRY_MAINTENANCE_PERIOD_MS) must be at least 1000, was " + maintenancePeriodMs);
        }
    }
}
