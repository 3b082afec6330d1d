package dev.conveyor.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

import javax.sql.DataSource;

/**
 * Loads validated listing rows into {@code warehouse_listings}, one all-or-nothing transaction per job, within the
 * job's tenant: a load reads, compares, counts and writes that tenant's rows only (the table is keyed by tenant,
 * marketplace and sku), so two tenants loading the same marketplace and sku each keep a row of their own.
 *
 * <p>Rows are streamed with COPY into a temporary staging table (so nothing about the load's size is held in the
 * JVM), then merged into the warehouse by one statement at {@link WarehouseLoad#commit()} (a tenant's first load
 * into a marketplace is built as a table and attached instead, see {@link WarehousePartitions}). Thread-safe: every
 * {@link #begin} takes its own connection.
 */
public final class WarehouseLoader {

    private final DataSource dataSource;
    private final int copyBufferRows;

    /**
     * @param copyBufferRows rows encoded client-side before they are handed to the COPY stream (e.g. 10,000);
     *                       bounds the loader's buffer, not the load's size
     */
    public WarehouseLoader(DataSource dataSource, int copyBufferRows) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (copyBufferRows < 1) {
            throw new IllegalArgumentException("copyBufferRows must be at least 1, was " + copyBufferRows);
        }
        this.copyBufferRows = copyBufferRows;
    }

    /**
     * Opens one all-or-nothing load for a job; rows are streamed in with {@link WarehouseLoad#add}; nothing is
     * visible to anyone else until {@link WarehouseLoad#commit()}. Close the load in every case (try-with-resources):
     * closing an uncommitted load rolls it back.
     *
     * @param tenantId the tenant of the job: the only tenant whose rows the load can see or change; required (there
     *                 is deliberately no default, so a caller cannot load into another tenant by leaving it out)
     */
    public WarehouseLoad begin(String tenantId, String jobId, String marketplace, String category, String regionOrNull)
            throws SQLException {
        return begin(tenantId, jobId, marketplace, category, regionOrNull, Mode.UPSERT);
    }

    /** What a load does to the rows of its tenant, marketplace and category that its file does not have. */
    public enum Mode {
        /** Leaves them as they are: a file adds and changes listings. */
        UPSERT,
        /** Deletes them, in the load's transaction: the file is the category's whole list of listings. */
        REPLACE
    }

    /** As {@link #begin(String, String, String, String, String)}, in the given mode. */
    public WarehouseLoad begin(String tenantId, String jobId, String marketplace, String category, String regionOrNull,
                               Mode mode) throws SQLException {
        Objects.requireNonNull(mode, "mode");
        requireText(tenantId, "tenantId");
        requireText(jobId, "jobId");
        requireText(marketplace, "marketplace");
        requireText(category, "category");
        Connection connection = dataSource.getConnection();
        return WarehouseLoad.open(connection, copyBufferRows, jobId, tenantId, marketplace, category, regionOrNull,
                mode == Mode.REPLACE);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
