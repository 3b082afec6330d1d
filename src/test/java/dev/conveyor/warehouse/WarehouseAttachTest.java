package dev.conveyor.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A tenant's first load into a marketplace builds a table of its own and attaches it (V20, WarehousePartitions),
 * against a real PostgreSQL: the rows and counts, where they end up, that readers see no row of it before the commit,
 * and that a load killed after its table is built leaves nothing behind and its retry finishes once.
 */
class WarehouseAttachTest {

    private static final String TENANT = "acme";

    private WarehouseSchema schema;
    private WarehouseLoader loader;

    @BeforeEach
    void createSchema() throws Exception {
        // a schema per test: the partitions a test attaches would change the next test's path
        schema = WarehouseSchema.create();
        loader = new WarehouseLoader(schema.dataSource(), 2);
    }

    @AfterEach
    void dropSchema() throws SQLException {
        assertThat(schema.openConnections()).as("connections the loader did not close").isZero();
        schema.close();
    }

    private WarehouseLoad open(String tenant, String job, String marketplace, String[]... rows) throws SQLException {
        WarehouseLoad load = loader.begin(tenant, job, marketplace, "books", "EU");
        for (String[] row : rows) {
            load.add(row[0], row[1], row[2], row[3]);
        }
        return load;
    }

    private LoadReport load(String tenant, String job, String marketplace, String[]... rows) throws SQLException {
        try (WarehouseLoad load = open(tenant, job, marketplace, rows)) {
            return load.commit();
        }
    }

    private static String[] row(String sku, String title, String price) {
        return new String[] {sku, title, price, "1"};
    }

    /** The partition that holds the table, or null if it is not attached (or does not exist). */
    private String parentOf(String table) throws SQLException {
        List<List<String>> rows = schema.rows("SELECT i.inhparent::regclass::text FROM pg_inherits i"
                + " WHERE i.inhrelid = to_regclass('" + table + "')");
        return rows.isEmpty() ? null : rows.get(0).get(0);
    }

    @Test
    void aFirstLoadBuildsItsOwnTableAndAttachesItUnderTheTenant() throws SQLException {
        LoadReport report = load(TENANT, "job-1", "amazon", row("SKU-2", "Two", "2.50"), row("SKU-1", "One", "1"));

        assertThat(report.path()).isEqualTo(LoadReport.Path.ATTACHED);
        assertThat(report.toMap()).containsEntry("load_path", "attached").containsEntry("rows_received", 2L)
                .containsEntry("inserted", 2L).containsEntry("updated", 0L).containsEntry("unchanged", 0L);
        String table = WarehousePartitions.marketplaceTable(TENANT, "amazon");
        String tenantTable = WarehousePartitions.tenantTable(TENANT);
        assertThat(parentOf(table)).isEqualTo(tenantTable);
        assertThat(parentOf(tenantTable)).isEqualTo("warehouse_listings");
        assertThat(schema.rows("SELECT tenant_id, marketplace, sku, category, region, title, price::text, quantity,"
                + " source_job_id FROM " + table + " ORDER BY sku")).containsExactly(
                List.of(TENANT, "amazon", "SKU-1", "books", "EU", "One", "1", "1", "job-1"),
                List.of(TENANT, "amazon", "SKU-2", "books", "EU", "Two", "2.50", "1", "job-1"));
        // its three indexes are the partitions of the warehouse's three, valid: ATTACH adopted them, built none
        assertThat(schema.rows("SELECT p.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid"
                + " JOIN pg_inherits i ON i.inhrelid = x.indexrelid JOIN pg_class p ON p.oid = i.inhparent"
                + " WHERE x.indrelid = to_regclass('" + tenantTable + "') AND x.indisvalid ORDER BY 1"))
                .as("the tenant partition's indexes, attached to the root's").containsExactly(
                        List.of("warehouse_listings_category_idx"), List.of("warehouse_listings_pkey"),
                        List.of("warehouse_listings_source_job_idx"));
        assertThat(schema.queryLong("SELECT count(*) FROM pg_index x JOIN pg_inherits i ON i.inhrelid = x.indexrelid"
                + " WHERE x.indrelid = to_regclass('" + table + "') AND x.indisvalid")).isEqualTo(3);
        assertThat(schema.count("tenant_id = '" + TENANT + "' AND marketplace = 'amazon'")).isEqualTo(2);
        assertThat(schema.queryLong("SELECT count(*) FROM warehouse_listings_default")).isZero();
    }

    @Test
    void anAttachedTableHasItsColumnStatisticsBeforeAnyoneQueriesIt() throws SQLException {
        load(TENANT, "job-1", "amazon", row("SKU-1", "One", "1"), row("SKU-2", "Two", "2"));

        // without them the planner guessed one row for a whole category, and a replace's anti join right after a
        // first load ran as a nested loop for minutes (WarehouseLoadCrashIT's replace)
        String table = WarehousePartitions.marketplaceTable(TENANT, "amazon");
        assertThat(schema.rows("SELECT attname FROM pg_stats WHERE schemaname = current_schema()"
                + " AND tablename = '" + table + "'"
                + " AND attname IN ('tenant_id', 'marketplace', 'category', 'sku') ORDER BY 1")).containsExactly(
                List.of("category"), List.of("marketplace"), List.of("sku"), List.of("tenant_id"));
    }

    @Test
    void aSkuRepeatedInAFirstLoadKeepsItsLastRowAsTheMergeWould() throws SQLException {
        LoadReport report = load(TENANT, "job-1", "amazon", row("SKU-1", "First", "1"), row("SKU-2", "Two", "2"),
                row("SKU-1", "Last", "3"));

        assertThat(report.path()).isEqualTo(LoadReport.Path.ATTACHED);
        assertThat(report.rowsReceived()).isEqualTo(3);
        assertThat(report.inserted()).isEqualTo(2);
        assertThat(schema.rows("SELECT sku, title, price::text FROM warehouse_listings ORDER BY sku")).containsExactly(
                List.of("SKU-1", "Last", "3"), List.of("SKU-2", "Two", "2"));
    }

    @Test
    void theNextLoadIntoTheMarketplaceMergesIntoTheAttachedTable() throws SQLException {
        load(TENANT, "job-1", "amazon", row("SKU-1", "One", "1"), row("SKU-2", "Two", "2"));

        LoadReport report = load(TENANT, "job-2", "amazon", row("SKU-1", "One", "1"), row("SKU-2", "Two", "2.25"),
                row("SKU-3", "Three", "3"));

        assertThat(report.path()).isEqualTo(LoadReport.Path.MERGED);
        assertThat(List.of(report.inserted(), report.updated(), report.unchanged())).containsExactly(1L, 1L, 1L);
        assertThat(schema.queryLong("SELECT count(*) FROM " + WarehousePartitions.marketplaceTable(TENANT, "amazon")))
                .isEqualTo(3);
    }

    @Test
    void anotherMarketplaceOfTheTenantAndAnotherTenantEachGetATableOfTheirOwn() throws SQLException {
        load(TENANT, "job-1", "amazon", row("SKU-1", "One", "1"));

        assertThat(load(TENANT, "job-2", "ebay", row("SKU-1", "Other", "2")).path())
                .isEqualTo(LoadReport.Path.ATTACHED);
        assertThat(load("globex", "job-3", "amazon", row("SKU-1", "Theirs", "3")).path())
                .isEqualTo(LoadReport.Path.ATTACHED);

        assertThat(parentOf(WarehousePartitions.marketplaceTable(TENANT, "ebay")))
                .isEqualTo(WarehousePartitions.tenantTable(TENANT));
        assertThat(parentOf(WarehousePartitions.marketplaceTable("globex", "amazon")))
                .isEqualTo(WarehousePartitions.tenantTable("globex"));
        assertThat(schema.rows("SELECT tenant_id, marketplace, title FROM warehouse_listings"
                + " ORDER BY tenant_id, marketplace")).containsExactly(List.of(TENANT, "amazon", "One"),
                List.of(TENANT, "ebay", "Other"), List.of("globex", "amazon", "Theirs"));
    }

    @Test
    void aTenantWithRowsInTheDefaultPartitionKeepsLoadingThere() throws SQLException {
        // a row from before V20 (or from a writer other than a load): in the default partition, under no tenant's
        schema.execute("INSERT INTO warehouse_listings (tenant_id, marketplace, sku, category, source_job_id)"
                + " VALUES ('" + TENANT + "', 'ebay', 'OLD-1', 'books', 'old-job')");

        LoadReport report = load(TENANT, "job-1", "amazon", row("SKU-1", "One", "1"));

        assertThat(report.path()).isEqualTo(LoadReport.Path.INSERTED);
        assertThat(report.inserted()).isEqualTo(1);
        assertThat(schema.rows("SELECT sku FROM warehouse_listings_default ORDER BY sku"))
                .containsExactly(List.of("OLD-1"), List.of("SKU-1"));
        assertThat(parentOf(WarehousePartitions.tenantTable(TENANT))).isNull();
    }

    @Test
    void aReaderSeesNoRowOfAFirstLoadUntilItCommitsAndAKilledLoadLeavesNothing() throws Exception {
        // the tenant's partition exists (its first marketplace), so the next first load attaches under it; a
        // reader's open transaction on the tenant's rows holds the attach at its very end, table built
        load(TENANT, "job-0", "amazon", row("SKU-0", "Zero", "0"));
        String table = WarehousePartitions.marketplaceTable(TENANT, "ebay");
        try (Connection reader = schema.connect()) {
            reader.setAutoCommit(false);
            assertThat(count(reader, "tenant_id = '" + TENANT + "'")).isEqualTo(1);

            WarehouseLoad load = open(TENANT, "job-1", "ebay", row("SKU-1", "One", "1"), row("SKU-2", "Two", "2"));
            CompletableFuture<LoadReport> commit = commitAsync(load);
            int backend = awaitAttachWaiting();
            assertThat(commit).isNotDone();
            // (the reader's own transaction: a new one would queue behind the ATTACH's lock, as readers do)
            assertThat(count(reader, "marketplace = 'ebay'")).as("the built table, before its commit").isZero();

            // kill -9 of the loading process, as the database sees it: its connection is gone mid-transaction
            schema.execute("SELECT pg_terminate_backend(" + backend + ")");
            assertThatThrownBy(() -> commit.get(20, TimeUnit.SECONDS)).hasRootCauseInstanceOf(SQLException.class);
            reader.commit();
        }
        assertThat(schema.queryLong("SELECT count(*) FROM pg_class WHERE relname = '" + table + "'"))
                .as("the killed load's table").isZero();
        assertThat(schema.count("marketplace = 'ebay'")).isZero();

        // the retry builds it again, once
        LoadReport retry = load(TENANT, "job-1", "ebay", row("SKU-1", "One", "1"), row("SKU-2", "Two", "2"));
        assertThat(retry.path()).isEqualTo(LoadReport.Path.ATTACHED);
        assertThat(schema.count("marketplace = 'ebay'")).isEqualTo(2);
    }

    @Test
    void aReaderWaitingOutTheAttachSeesTheWholeTable() throws Exception {
        load(TENANT, "job-0", "amazon", row("SKU-0", "Zero", "0"));
        try (Connection reader = schema.connect()) {
            reader.setAutoCommit(false);
            count(reader, "tenant_id = '" + TENANT + "'");
            CompletableFuture<LoadReport> commit = commitAsync(open(TENANT, "job-1", "ebay",
                    row("SKU-1", "One", "1"), row("SKU-2", "Two", "2"), row("SKU-3", "Three", "3")));
            awaitAttachWaiting();
            assertThat(count(reader, "marketplace = 'ebay'")).isZero();
            reader.commit();

            assertThat(commit.get(20, TimeUnit.SECONDS).inserted()).isEqualTo(3);
            assertThat(count(reader, "marketplace = 'ebay'")).isEqualTo(3);
            reader.commit();
        }
    }

    private static CompletableFuture<LoadReport> commitAsync(WarehouseLoad load) {
        return CompletableFuture.supplyAsync(() -> {
            try (load) {
                return load.commit();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static long count(Connection connection, String where) throws SQLException {
        try (Statement s = connection.createStatement();
             var r = s.executeQuery("SELECT count(*) FROM warehouse_listings WHERE " + where)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** The loading backend, once its ATTACH waits for the reader's lock; its table is built by then. */
    private int awaitAttachWaiting() {
        String waiting = "SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND query LIKE 'ALTER TABLE % ATTACH PARTITION %'";
        int[] pid = {0};
        await("the load's ATTACH waiting for the reader").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> (pid[0] = (int) schema.queryLong(waiting)) > 0);
        return pid[0];
    }
}
