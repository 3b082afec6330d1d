package dev.conveyor.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two tenants in one warehouse, against a real PostgreSQL: a load reads, counts and writes its own tenant's rows
 * only, whatever another tenant has under the same marketplace and sku.
 */
class WarehouseTenantTest {

    private static final String A = "tenant_a";
    private static final String B = "tenant_b";

    private static WarehouseSchema schema;
    private WarehouseLoader loader;

    @BeforeAll
    static void createSchema() throws Exception {
        schema = WarehouseSchema.create();
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        schema.close();
    }

    @BeforeEach
    void emptyTable() throws SQLException {
        schema.execute("TRUNCATE warehouse_listings");
        loader = new WarehouseLoader(schema.dataSource(), 2);
    }

    @AfterEach
    void everyConnectionGivenBack() {
        assertThat(schema.openConnections()).as("connections the loader did not close").isZero();
    }

    /** A committed load and whether it took the first-load path. */
    private record Loaded(LoadReport report, boolean firstLoad) {
    }

    private Loaded load(String tenant, String job, String marketplace, String[]... rows) throws SQLException {
        try (WarehouseLoad load = loader.begin(tenant, job, marketplace, "c", "EU")) {
            for (String[] row : rows) {
                load.add(row[0], row[1], row[2], row[3]);
            }
            LoadReport report = load.commit();
            return new Loaded(report, load.wasFirstLoad());
        }
    }

    private static String[] row(String sku, String title, String price) {
        return new String[] {sku, title, price, "1"};
    }

    private static List<String> listing(String tenant, String sku, String title, String price, String job) {
        return List.of(tenant, sku, title, price, job);
    }

    private static List<List<String>> listings(String marketplace) throws SQLException {
        return schema.rows("SELECT tenant_id, sku, title, price::text, source_job_id FROM warehouse_listings"
                + " WHERE marketplace = '" + marketplace + "' ORDER BY tenant_id, sku");
    }

    @Test
    void twoTenantsLoadingTheSameSkuWithDifferentPricesKeepARowEach() throws SQLException {
        load(A, "job-a1", "m", row("SKU-1", "Mug", "10.00"), row("SKU-2", "Cup", "5.00"));
        List<List<String>> aBefore = schema.snapshot(A);

        Loaded b = load(B, "job-b1", "m", row("SKU-1", "Mug", "12.00"), row("SKU-2", "Cup", "5.00"));

        // B had no rows: both are inserted for B, the one identical to A's (SKU-2) included
        assertThat(b.report().inserted()).isEqualTo(2);
        assertThat(b.report().updated()).isZero();
        assertThat(b.report().unchanged()).isZero();
        assertThat(listings("m")).containsExactly(
                listing(A, "SKU-1", "Mug", "10.00", "job-a1"),
                listing(A, "SKU-2", "Cup", "5.00", "job-a1"),
                listing(B, "SKU-1", "Mug", "12.00", "job-b1"),
                listing(B, "SKU-2", "Cup", "5.00", "job-b1"));
        assertThat(schema.snapshot(A)).as("A's rows, every column").isEqualTo(aBefore);
    }

    @Test
    void aReloadByOneTenantUpdatesOnlyItsOwnRowAndCountsOnlyItsOwnRows() throws SQLException {
        load(A, "job-a1", "m", row("SKU-1", "Mug", "10.00"), row("SKU-2", "Cup", "5.00"));
        load(B, "job-b1", "m", row("SKU-1", "Mug", "12.00"), row("SKU-2", "Cup", "5.00"), row("SKU-3", "Bowl", "3"));
        List<List<String>> bBefore = schema.snapshot(B);

        // A's new price is B's price: compared with A's own row it is a change, not "unchanged"
        Loaded a = load(A, "job-a2", "m", row("SKU-1", "Mug", "12.00"), row("SKU-2", "Cup", "5.00"),
                row("SKU-3", "Bowl", "3"));

        assertThat(a.firstLoad()).isFalse();
        assertThat(a.report().updated()).isEqualTo(1);
        assertThat(a.report().unchanged()).isEqualTo(1);
        assertThat(a.report().inserted()).as("SKU-3 is new for A, though B has it").isEqualTo(1);
        assertThat(listings("m")).containsExactly(
                listing(A, "SKU-1", "Mug", "12.00", "job-a2"),
                listing(A, "SKU-2", "Cup", "5.00", "job-a1"),
                listing(A, "SKU-3", "Bowl", "3", "job-a2"),
                listing(B, "SKU-1", "Mug", "12.00", "job-b1"),
                listing(B, "SKU-2", "Cup", "5.00", "job-b1"),
                listing(B, "SKU-3", "Bowl", "3", "job-b1"));
        assertThat(schema.snapshot(B)).as("B's rows, every column (updated_at too)").isEqualTo(bBefore);
    }

    @Test
    void aTenantsFirstLoadIntoAMarketplaceTakesTheFastPathThoughAnotherTenantHasRowsThere() throws SQLException {
        Loaded aFirst = load(A, "job-a1", "m", row("SKU-1", "Mug", "10.00"));
        assertThat(aFirst.firstLoad()).isTrue();
        List<List<String>> aBefore = schema.snapshot(A);

        Loaded bFirst = load(B, "job-b1", "m", row("SKU-1", "first", "1"), row("SKU-2", "Cup", "2"),
                row("SKU-1", "last", "3"));

        assertThat(bFirst.firstLoad()).as("B's first load in m, though A has rows there").isTrue();
        assertThat(bFirst.report().distinctSkus()).isEqualTo(2);
        assertThat(bFirst.report().inserted()).isEqualTo(2);
        assertThat(listings("m")).containsExactly(
                listing(A, "SKU-1", "Mug", "10.00", "job-a1"),
                listing(B, "SKU-1", "last", "3", "job-b1"),
                listing(B, "SKU-2", "Cup", "2", "job-b1"));
        assertThat(schema.snapshot(A)).isEqualTo(aBefore);

        Loaded bSecond = load(B, "job-b2", "m", row("SKU-1", "last", "3"));
        assertThat(bSecond.firstLoad()).as("B now has rows in m").isFalse();
        assertThat(bSecond.report().unchanged()).isEqualTo(1);
        assertThat(load(A, "job-a2", "other", row("SKU-1", "Mug", "10.00")).firstLoad())
                .as("A's first load in another marketplace").isTrue();
    }

    @Test
    void aTenantsMergeDoesNotWaitForAnotherTenantsMergeInTheSameMarketplace() throws Exception {
        load(B, "job-b0", "m", row("SKU-1", "Mug", "1"));
        try (Connection other = schema.connect()) {
            // A's merge in m, in progress: it holds A's lock for m until it commits
            other.setAutoCommit(false);
            try (PreparedStatement lock = other.prepareStatement(WarehouseLoad.LOCK_TENANT_MARKETPLACE)) {
                lock.setString(1, A);
                lock.setString(2, "m");
                lock.execute();
            }

            LoadReport b = CompletableFuture.supplyAsync(() -> {
                try {
                    return load(B, "job-b1", "m", row("SKU-1", "Mug", "2")).report();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }).get(20, TimeUnit.SECONDS);

            assertThat(b.updated()).isEqualTo(1);
            other.rollback();
        }
        assertThat(listings("m")).containsExactly(listing(B, "SKU-1", "Mug", "2", "job-b1"));
    }

    @Test
    void aLoadWithoutATenantIsRefusedBeforeItTakesAConnection() {
        for (String tenant : new String[] {null, "", "  "}) {
            assertThatThrownBy(() -> loader.begin(tenant, "job-1", "m", "c", null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tenantId");
        }
        assertThat(schema.openConnections()).isZero();
    }
}
