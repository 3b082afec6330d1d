package dev.conveyor.config;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code conveyor.warehouse.build}: when a validation that chains a warehouse load streams the valid rows into the
 * table of the tenant's first load into the marketplace while it validates, instead of leaving the load to do it
 * afterwards (warehouse.WarehouseBuild). {@code overlapMinBytes}: files smaller than this are not worth a second
 * connection and thread (their chain is under a second either way); {@code pipeChunks}: the bounded pipe between the
 * validating thread and the COPY thread, in chunks of about 256 KiB. Defaults: application.yaml only.
 */
@ConfigurationProperties("conveyor.warehouse.build")
public record WarehouseBuildProperties(long overlapMinBytes, int pipeChunks) {

    public WarehouseBuildProperties {
        if (overlapMinBytes < 0) {
            throw new IllegalArgumentException("overlap-min-bytes must be 0 or more, was " + overlapMinBytes);
        }
        if (pipeChunks < 1) {
            throw new IllegalArgumentException("pipe-chunks must be at least 1, was " + pipeChunks);
        }
    }
}
