package dev.conveyor.config;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code conveyor.warehouse.spool-valid-rows}: whether a validation that chains a warehouse load keeps its valid rows
 * on disk in COPY format (under {@code <data-dir>/spool}) for the load to stream, so a file is parsed once, not twice.
 * The other warehouse key, {@code copy-buffer-rows}, is {@link ConveyorProperties.Warehouse}'s. Default:
 * application.yaml only.
 */
@ConfigurationProperties("conveyor.warehouse")
public record WarehouseSpoolProperties(boolean spoolValidRows) {
}
