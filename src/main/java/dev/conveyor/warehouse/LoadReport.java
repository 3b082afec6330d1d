package dev.conveyor.warehouse;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one committed load did. {@code rowsReceived} counts every {@code add} call; rows repeating a sku within the
 * load collapse to the last one, so {@code distinctSkus = inserted + updated + unchanged}. The counts are within the
 * load's tenant: a sku another tenant has in the same marketplace counts as inserted (the tenant had no row for it),
 * never as updated or unchanged. {@code deleted} counts the rows a replace removed (always 0 otherwise).
 * {@code path} says how the rows went in (see {@link Path}).
 */
public record LoadReport(long rowsReceived, long distinctSkus, long inserted, long updated, long unchanged,
                         long deleted, long durationMs, Path path) {

    /** How a load's rows reached the warehouse; each recovers from a crash the same way (it never committed). */
    public enum Path {
        /** The tenant's first rows in the marketplace: a table built with COPY, indexed, then attached. */
        ATTACHED,
        /** The tenant's first rows in the marketplace, inserted into a partition that was already there. */
        INSERTED,
        /** The tenant had rows there: updated if changed, inserted if new, left alone if the same. */
        MERGED,
        /** As MERGED, then the category's rows the file did not have deleted, in the same transaction. */
        REPLACED;

        /** As it appears in job results: lower case. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The report with snake_case keys, in declaration order, for job results and logs. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("rows_received", rowsReceived);
        map.put("distinct_skus", distinctSkus);
        map.put("inserted", inserted);
        map.put("updated", updated);
        map.put("unchanged", unchanged);
        map.put("deleted", deleted);
        map.put("duration_ms", durationMs);
        map.put("load_path", path.label());
        return map;
    }
}
