package dev.conveyor.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tables built during a validation for the load it chains ({@link WarehouseBuild}): whether to build one, attaching
 * one, and dropping those no load will attach. A build is only a faster way to a tenant's first load into a
 * marketplace; whenever it does not fit (the tenant has rows there by the time the load runs, the build was of other
 * rows, it is missing) the load takes the path it would have taken without it, from the spool or the file.
 */
public final class WarehouseBuilds {

    private static final Logger log = LoggerFactory.getLogger(WarehouseBuilds.class);

    private final DataSource dataSource;
    private final int pipeChunks;

    /**
     * @param pipeChunks chunks (of about 256 KiB) the pipe between a validation and its build's COPY holds at most
     */
    public WarehouseBuilds(DataSource dataSource, int pipeChunks) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (pipeChunks < 1) {
            throw new IllegalArgumentException("pipeChunks must be at least 1, was " + pipeChunks);
        }
        this.pipeChunks = pipeChunks;
    }

    /**
     * Starts building the table of a validation's chained load, if that load would be the tenant's first into the
     * marketplace with a table of its own (asked now, and again when the load attaches it); empty otherwise (a
     * re-load merges, which no build can speed up).
     */
    public Optional<WarehouseBuild> start(String tenantId, String validationJobId, String marketplace,
                                          String category, String regionOrNull) throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            if (WarehouseLoad.tenantHasRowsInMarketplace(connection, tenantId, marketplace)
                    || !WarehousePartitions.canBuild(connection, tenantId, marketplace)) {
                connection.close();
                return Optional.empty();
            }
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return Optional.of(WarehouseBuild.start(connection, validationJobId, tenantId, marketplace, category,
                regionOrNull, pipeChunks));
    }

    /**
     * Attaches the table the load's validation built, as the tenant's first load into the marketplace, in one short
     * transaction (renames, ATTACH, the record's deletion). Empty if there is no such build, or it does not fit: other
     * rows than the load's ({@code expectedRows}, another category or region), or the tenant has rows in the
     * marketplace by now; a build that does not fit is dropped. The caller then loads the rows the usual way.
     */
    public Optional<LoadReport> attach(String tenantId, String jobId, String marketplace, String category,
                                       String regionOrNull, String validationJobId, long expectedRows)
            throws SQLException {
        long started = System.nanoTime();
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement lock = connection.prepareStatement(WarehouseLoad.LOCK_TENANT_MARKETPLACE)) {
                    lock.setString(1, tenantId);
                    lock.setString(2, marketplace);
                    lock.execute();
                }
                String table;
                long rows;
                boolean fits;
                try (PreparedStatement query = connection.prepareStatement("SELECT table_name, rows, tenant_id,"
                        + " marketplace, category, region FROM warehouse_builds WHERE validation_job_id = ?"
                        + " FOR UPDATE")) {
                    query.setString(1, validationJobId);
                    try (ResultSet result = query.executeQuery()) {
                        if (!result.next()) {
                            connection.rollback();
                            return Optional.empty();
                        }
                        table = result.getString(1);
                        rows = result.getLong(2);
                        fits = rows == expectedRows && tenantId.equals(result.getString(3))
                                && marketplace.equals(result.getString(4)) && category.equals(result.getString(5))
                                && Objects.equals(regionOrNull, result.getString(6));
                    }
                }
                if (!fits || WarehouseLoad.tenantHasRowsInMarketplace(connection, tenantId, marketplace)
                        || !WarehousePartitions.canBuild(connection, tenantId, marketplace)) {
                    log.info("{}: the table {} its validation {} built does not fit this load; loading without it",
                            jobId, table, validationJobId);
                    dropBuild(connection, validationJobId);
                    connection.commit();
                    return Optional.empty();
                }
                String attached = WarehousePartitions.adoptBuild(connection, table, tenantId, marketplace);
                WarehousePartitions.attach(connection, tenantId, marketplace, attached);
                deleteRecord(connection, validationJobId);
                connection.commit();
                long durationMs = (System.nanoTime() - started) / 1_000_000;
                return Optional.of(new LoadReport(rows, rows, rows, 0, 0, 0, durationMs, LoadReport.Path.ATTACHED));
            } finally {
                connection.rollback();   // a no-op after commit
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    /** The validation jobs that have a build committed and not yet attached, oldest first. */
    public List<String> builtFor() throws SQLException {
        List<String> jobs = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT validation_job_id FROM warehouse_builds ORDER BY built_at");
             ResultSet result = query.executeQuery()) {
            while (result.next()) {
                jobs.add(result.getString(1));
            }
        }
        return jobs;
    }

    /**
     * Drops the build of a validation that no load will attach (the caller knows its chain is over). A build being
     * attached or dropped elsewhere right now is left alone.
     *
     * @return whether it was dropped
     */
    public boolean drop(String validationJobId) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (PreparedStatement claim = connection.prepareStatement("SELECT 1 FROM warehouse_builds"
                    + " WHERE validation_job_id = ? FOR UPDATE SKIP LOCKED")) {
                claim.setString(1, validationJobId);
                try (ResultSet result = claim.executeQuery()) {
                    if (!result.next()) {
                        return false;
                    }
                }
                dropBuild(connection, validationJobId);
                connection.commit();
                log.info("dropped the warehouse table built by {}: no load will attach it", validationJobId);
                return true;
            } finally {
                connection.rollback();   // a no-op after commit
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    /** Drops a validation's build table and its record, if there are any, in the caller's transaction. */
    static void dropBuild(Connection connection, String validationJobId) throws SQLException {
        WarehousePartitions.execute(connection, "DROP TABLE IF EXISTS "
                + WarehousePartitions.buildTable(validationJobId));
        deleteRecord(connection, validationJobId);
    }

    private static void deleteRecord(Connection connection, String validationJobId) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM warehouse_builds WHERE validation_job_id = ?")) {
            delete.setString(1, validationJobId);
            delete.executeUpdate();
        }
    }
}
