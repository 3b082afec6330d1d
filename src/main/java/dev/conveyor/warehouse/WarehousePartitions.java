package dev.conveyor.warehouse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * The partitions of {@code warehouse_listings} (V20): one per tenant, partitioned by marketplace, and under it one
 * table per (tenant, marketplace) that a first load builds and attaches whole. Every method runs on the caller's
 * connection, inside its transaction: nothing here commits, so a load that fails or is killed leaves no partition
 * and no half-built table behind (PostgreSQL's DDL is transactional).
 *
 * <p>Table names are a hash of the tenant and marketplace, not the names themselves: those are free text, and an
 * identifier has 63 bytes. The hash covers the lengths too, so ("a/b", "c") and ("a", "b/c") never share a name.
 */
final class WarehousePartitions {

    static final String ROOT = "warehouse_listings";
    static final String ROOT_DEFAULT = "warehouse_listings_default";

    // Two first loads of one tenant (different marketplaces) may both find the tenant without a partition; they take
    // turns creating it. A different key space from WarehouseLoad's per-marketplace lock (its first argument).
    private static final String LOCK_TENANT =
            "SELECT pg_advisory_xact_lock(hashtext('warehouse_partitions'), hashtext(?))";

    private WarehousePartitions() {
    }

    /** The tenant's partition of the root, itself partitioned by marketplace. */
    static String tenantTable(String tenantId) {
        return "warehouse_listings_t_" + hash(tenantId);
    }

    /** The table that holds one tenant's listings in one marketplace, once its first load attached it. */
    static String marketplaceTable(String tenantId, String marketplace) {
        return "warehouse_listings_p_" + hash(tenantId, marketplace);
    }

    /**
     * Whether a load can build the (tenant, marketplace) table and attach it: the table does not exist yet, and the
     * tenant's rows are not in the root's default partition (rows from before V20, or merged there since): a tenant
     * partition could not be attached over them. Asked under the load's lock on the tenant's marketplace, after
     * finding the tenant has no rows there.
     */
    static boolean canBuild(Connection connection, String tenantId, String marketplace) throws SQLException {
        if (exists(connection, marketplaceTable(tenantId, marketplace))) {
            return false;
        }
        if (exists(connection, tenantTable(tenantId))) {
            return true;
        }
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM " + ROOT_DEFAULT + " WHERE tenant_id = ?)")) {
            query.setString(1, tenantId);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return !result.getBoolean(1);
            }
        }
    }

    /**
     * Creates the (tenant, marketplace) table, detached, shaped like the warehouse and with no index yet. Its CHECK
     * is the partition bound it will have, so that {@link #attach} need not scan it to prove it; COPY and INSERT
     * check it per row, which costs next to nothing.
     */
    static String createMarketplaceTable(Connection connection, String tenantId, String marketplace)
            throws SQLException {
        String table = marketplaceTable(tenantId, marketplace);
        execute(connection, "CREATE TABLE " + table + " (LIKE " + ROOT + " INCLUDING DEFAULTS, CONSTRAINT " + table
                + "_bounds CHECK (tenant_id = " + literal(tenantId) + " AND marketplace = " + literal(marketplace)
                + "))");
        return table;
    }

    /**
     * The table a validation builds for the load it chains (see {@link WarehouseBuild}), named by the validation job,
     * so that a retried validation finds (and replaces) what an earlier attempt of it committed.
     */
    static String buildTable(String validationJobId) {
        return "warehouse_build_" + hash(validationJobId);
    }

    /**
     * Creates a build table, shaped like the warehouse, with no index yet and the bound of the partition it will
     * become (as {@link #createMarketplaceTable}). The columns every row shares get it as their default for now, so
     * that COPY sends only {@code sku, title, price, quantity}; {@link #dropBuildDefaults} takes them off again.
     */
    static void createBuildTable(Connection connection, String table, String tenantId, String marketplace,
                                 String category, String regionOrNull, String sourceJobId) throws SQLException {
        execute(connection, "CREATE TABLE " + table + " (LIKE " + ROOT + " INCLUDING DEFAULTS, CONSTRAINT " + table
                + "_bounds CHECK (tenant_id = " + literal(tenantId) + " AND marketplace = " + literal(marketplace)
                + "))");
        execute(connection, "ALTER TABLE " + table
                + " ALTER tenant_id SET DEFAULT " + literal(tenantId)
                + ", ALTER marketplace SET DEFAULT " + literal(marketplace)
                + ", ALTER category SET DEFAULT " + literal(category)
                + ", ALTER region SET DEFAULT " + (regionOrNull == null ? "NULL" : literal(regionOrNull))
                + ", ALTER source_job_id SET DEFAULT " + literal(sourceJobId));
    }

    /** Back to the warehouse's own defaults: a row written into the partition later names its own values. */
    static void dropBuildDefaults(Connection connection, String table) throws SQLException {
        execute(connection, "ALTER TABLE " + table + " ALTER tenant_id DROP DEFAULT, ALTER marketplace DROP DEFAULT,"
                + " ALTER category DROP DEFAULT, ALTER region DROP DEFAULT, ALTER source_job_id DROP DEFAULT");
    }

    /**
     * Gives a committed build table the name, constraint and index names of the (tenant, marketplace) table it is
     * about to become: catalog changes only, no row is touched.
     */
    static String adoptBuild(Connection connection, String build, String tenantId, String marketplace)
            throws SQLException {
        String table = marketplaceTable(tenantId, marketplace);
        execute(connection, "ALTER TABLE " + build + " RENAME TO " + table);
        execute(connection, "ALTER TABLE " + table + " RENAME CONSTRAINT " + build + "_bounds TO " + table + "_bounds");
        execute(connection, "ALTER TABLE " + table + " RENAME CONSTRAINT " + build + "_pkey TO " + table + "_pkey");
        execute(connection, "ALTER INDEX " + build + "_category_idx RENAME TO " + table + "_category_idx");
        execute(connection, "ALTER INDEX " + build + "_source_job_idx RENAME TO " + table + "_source_job_idx");
        return table;
    }

    /** The primary key first: it is the one that can fail (a sku twice), and the cheaper indexes wait for it. */
    static void addPrimaryKey(Connection connection, String table) throws SQLException {
        execute(connection, "ALTER TABLE " + table + " ADD CONSTRAINT " + table
                + "_pkey PRIMARY KEY (tenant_id, marketplace, sku)");
    }

    /**
     * The warehouse's other two indexes, on the same columns as the root's, so that ATTACH adopts them instead of
     * building its own under its lock.
     */
    static void addIndexes(Connection connection, String table) throws SQLException {
        execute(connection, "CREATE INDEX " + table + "_category_idx ON " + table
                + " (tenant_id, marketplace, category)");
        execute(connection, "CREATE INDEX " + table + "_source_job_idx ON " + table + " (source_job_id)");
    }

    /**
     * Gives a filled table its column statistics before anyone plans against it. Without them the planner takes a
     * partition's tenant, marketplace and category for three unknown equalities and estimates one row where there are
     * a million: a replace's anti join right after a first load then ran as a nested loop over the staging table
     * (60k rows: minutes instead of a fraction of a second), until autovacuum happened to analyze it. ANALYZE samples
     * a fixed number of rows, so it costs about the same at 100k or 20M rows.
     */
    static void analyze(Connection connection, String table) throws SQLException {
        execute(connection, "ANALYZE " + table);
    }

    /**
     * Attaches the built table under the tenant's partition, creating and attaching that first if the tenant has
     * none. ATTACH takes a SHARE UPDATE EXCLUSIVE lock on the parent, which readers do not wait for; creating the
     * tenant's partition scans the root's default partition once (to prove it holds none of the tenant's rows).
     */
    static void attach(Connection connection, String tenantId, String marketplace, String table)
            throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(LOCK_TENANT)) {
            lock.setString(1, tenantId);
            lock.execute();
        }
        String tenantTable = tenantTable(tenantId);
        if (!exists(connection, tenantTable)) {
            execute(connection, "CREATE TABLE " + tenantTable + " (LIKE " + ROOT + " INCLUDING DEFAULTS)"
                    + " PARTITION BY LIST (marketplace)");
            execute(connection, "ALTER TABLE " + tenantTable + " ADD CONSTRAINT " + tenantTable
                    + "_pkey PRIMARY KEY (tenant_id, marketplace, sku)");
            addIndexes(connection, tenantTable);
            // rows of the tenant in a marketplace without a table of its own (a writer other than a load) go here
            execute(connection, "CREATE TABLE " + tenantTable + "_default PARTITION OF " + tenantTable + " DEFAULT");
            execute(connection, "ALTER TABLE " + ROOT + " ATTACH PARTITION " + tenantTable + " FOR VALUES IN ("
                    + literal(tenantId) + ")");
        }
        execute(connection, "ALTER TABLE " + tenantTable + " ATTACH PARTITION " + table + " FOR VALUES IN ("
                + literal(marketplace) + ")");
    }

    static boolean exists(Connection connection, String table) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            query.setString(1, table);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getBoolean(1);
            }
        }
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /**
     * A string constant for DDL, which takes no parameters. Standard-conforming strings (on since PostgreSQL 9.1)
     * make a doubled quote the only escape needed; a NUL cannot be in a text value at all.
     */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String hash(String... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
                digest.update(bytes);
            }
            // 96 bits: a collision would fail a load (CREATE TABLE of a name that exists), never mix two tenants
            return HexFormat.of().formatHex(digest.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
