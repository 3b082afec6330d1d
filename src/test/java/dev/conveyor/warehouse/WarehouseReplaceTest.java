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
import static org.awaitility.Awaitility.await;

/**
 * A replace (WarehouseLoader.Mode.REPLACE) against a real PostgreSQL: the category ends with the file's rows only,
 * other categories and tenants keep theirs, and a reader sees the old list or the new one, never a mix.
 */
class WarehouseReplaceTest {

    private static final String TENANT = "acme";
    private static final String SELECT_BOOKS = "SELECT sku, title, price::text FROM warehouse_listings"
            + " WHERE tenant_id = 'acme' AND marketplace = 'amazon' AND category = 'books' ORDER BY sku";

    private WarehouseSchema schema;
    private WarehouseLoader loader;

    @BeforeEach
    void createSchema() throws Exception {
        schema = WarehouseSchema.create();
        loader = new WarehouseLoader(schema.dataSource(), 2);
    }

    @AfterEach
    void dropSchema() throws SQLException {
        assertThat(schema.openConnections()).as("connections the loader did not close").isZero();
        schema.close();
    }

    private WarehouseLoad open(String tenant, String category, WarehouseLoader.Mode mode, String... skuTitlePrice)
            throws SQLException {
        WarehouseLoad load = loader.begin(tenant, "job-" + category + "-" + mode, "amazon", category, null, mode);
        for (int i = 0; i < skuTitlePrice.length; i += 3) {
            load.add(skuTitlePrice[i], skuTitlePrice[i + 1], skuTitlePrice[i + 2], "1");
        }
        return load;
    }

    private LoadReport load(String tenant, String category, WarehouseLoader.Mode mode, String... skuTitlePrice)
            throws SQLException {
        try (WarehouseLoad load = open(tenant, category, mode, skuTitlePrice)) {
            return load.commit();
        }
    }

    private void loadBefore() throws SQLException {
        load(TENANT, "books", WarehouseLoader.Mode.UPSERT, "B-1", "One", "1", "B-2", "Two", "2", "B-3", "Three", "3");
        load(TENANT, "games", WarehouseLoader.Mode.UPSERT, "G-1", "Game", "5");
        load("globex", "books", WarehouseLoader.Mode.UPSERT, "B-1", "Theirs", "9");
    }

    @Test
    void theCategoryEndsWithTheFilesRowsAndTheRestKeepTheirs() throws SQLException {
        loadBefore();

        LoadReport report = load(TENANT, "books", WarehouseLoader.Mode.REPLACE,
                "B-2", "Two", "2.50", "B-3", "Three", "3", "B-4", "Four", "4");

        assertThat(report.path()).isEqualTo(LoadReport.Path.REPLACED);
        assertThat(List.of(report.inserted(), report.updated(), report.unchanged(), report.deleted()))
                .containsExactly(1L, 1L, 1L, 1L);
        assertThat(schema.rows(SELECT_BOOKS)).containsExactly(List.of("B-2", "Two", "2.50"),
                List.of("B-3", "Three", "3"), List.of("B-4", "Four", "4"));
        assertThat(schema.rows("SELECT tenant_id, category, sku FROM warehouse_listings"
                + " WHERE NOT (tenant_id = 'acme' AND category = 'books') ORDER BY 1, 2")).containsExactly(
                List.of(TENANT, "games", "G-1"), List.of("globex", "books", "B-1"));
    }

    @Test
    void anUpsertOfTheSameFileDeletesNothing() throws SQLException {
        loadBefore();

        LoadReport report = load(TENANT, "books", WarehouseLoader.Mode.UPSERT, "B-2", "Two", "2.50");

        assertThat(report.path()).isEqualTo(LoadReport.Path.MERGED);
        assertThat(report.deleted()).isZero();
        assertThat(schema.rows(SELECT_BOOKS)).hasSize(3);
    }

    @Test
    void aReaderSeesTheOldListUntilTheReplaceCommitsThenTheNewOne() throws Exception {
        loadBefore();
        List<List<String>> before = schema.rows(SELECT_BOOKS);
        try (Connection holder = schema.connect()) {
            // a row lock on a row the replace deletes: the replace stops at its DELETE, its merge already done
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.executeQuery("SELECT 1 FROM warehouse_listings WHERE tenant_id = 'acme' AND sku = 'B-1'"
                        + " FOR KEY SHARE").close();
            }
            WarehouseLoad replace = open(TENANT, "books", WarehouseLoader.Mode.REPLACE,
                    "B-2", "Two", "2.50", "B-4", "Four", "4");
            CompletableFuture<LoadReport> commit = CompletableFuture.supplyAsync(() -> {
                try (replace) {
                    return replace.commit();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            await("the replace's DELETE waiting for the row lock").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20)).until(() -> schema.queryLong("SELECT count(*)"
                            + " FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                            + " AND query LIKE 'DELETE FROM warehouse_listings w%'") > 0);

            assertThat(schema.rows(SELECT_BOOKS)).as("mid-replace").isEqualTo(before);
            holder.commit();
            assertThat(commit.get(20, TimeUnit.SECONDS).deleted()).isEqualTo(2);
        }
        assertThat(schema.rows(SELECT_BOOKS)).containsExactly(List.of("B-2", "Two", "2.50"),
                List.of("B-4", "Four", "4"));
    }
}
