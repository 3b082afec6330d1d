package dev.conveyor.warehouse;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one committed load did. {@code rowsReceived} counts every {@code add} call; rows repeating a sku within the
 * load collapse to the last one, so {@code distinctSkus = inserted + updated + unchanged}. The counts are within the
 * load's tenant: a sku another tenant has in the same marketplace counts as inserted (the tenant had no row for it),
 * never as updated or unchanged.
 */
public record LoadReport(long rowsReceived, long distinctSkus, long inserted, long updated, long unchanged,
                         long durationMs) {

    /** The report with snake_case keys, in declaration order, for job results and logs. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("rows_received", rowsReceived);
        map.put("distinct_skus", distinctSkus);
        map.put("inserted", inserted);
        map.put("updated", updated);
        map.put("unchanged", unchanged);
        map.put("duration_ms", durationMs);
        return map;
    }
}
