package dev.conveyor.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code conveyor.warehouse.spool-valid-rows}: whether a validation that chains a warehouse load keeps its valid rows
 * on disk in COPY format (under {@code <data-dir>/spool}) for the load to stream, so a file is parsed once, not twice.
 */
@ConfigurationProperties("conveyor.warehouse")
public record WarehouseSpoolProperties(@DefaultValue("true") boolean spoolValidRows) {
}
