package dev.conveyor.warehouse;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import dev.conveyor.support.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * V8 on a database that already has warehouse rows (loaded before there were tenants in the warehouse): every row is
 * kept as it was, under the tenant {@code default}; the key is (tenant_id, marketplace, sku); the indexes are the
 * three a load maintains, none more; and a writer that does not name the tenant is refused. Flyway is run by hand,
 * first to V6.1 (the last version before the warehouse had tenants on every branch), then to the end.
 */
class WarehouseTenantMigrationTest {

    final String schema = "t_mig_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void existingRowsAreKeptUnderTheDefaultTenantAndTheKeyBecomesTenantMarketplaceSku() throws SQLException {
        flyway("6.1").migrate();
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO warehouse_listings (marketplace, sku, category, region, title, price,"
                    + " quantity, source_job_id, enrichment) VALUES"
                    + " ('amazon', 'SKU-1', 'books', 'EU', 'One', 12.50, 3, 'job-1', '{\"rank\": 1}'),"
                    + " ('amazon', 'SKU-2', 'books', NULL, NULL, NULL, NULL, 'job-1', NULL),"
                    + " ('ebay', 'SKU-1', 'toys', 'US', 'Other', 1, 1, 'job-2', NULL)");
        }
        String columns = "marketplace, sku, category, region, title, price::text, quantity::text, source_job_id,"
                + " loaded_at::text, updated_at::text, enrichment::text";
        List<List<String>> before;
        try (Connection connection = connect()) {
            before = rows(connection, "SELECT " + columns + " FROM warehouse_listings ORDER BY marketplace, sku");
        }

        flyway(null).migrate();

        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            assertThat(rows(connection, "SELECT " + columns + " FROM warehouse_listings ORDER BY marketplace, sku"))
                    .as("every row, every value").isEqualTo(before);
            assertThat(rows(connection, "SELECT DISTINCT tenant_id FROM warehouse_listings"))
                    .containsExactly(List.of("default"));
            // three indexes, as before V8: the two that had the old key in them replaced, none added
            assertThat(rows(connection, "SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = "
                    + "current_schema() AND tablename = 'warehouse_listings' ORDER BY indexname")).satisfiesExactly(
                    index -> assertThat(index.get(0)).startsWith("warehouse_listings_category_idx ")
                            .endsWith("(tenant_id, marketplace, category)"),
                    index -> assertThat(index.get(0)).startsWith("warehouse_listings_pkey ").contains("UNIQUE")
                            .endsWith("(tenant_id, marketplace, sku)"),
                    index -> assertThat(index.get(0)).startsWith("warehouse_listings_source_job_idx ")
                            .endsWith("(source_job_id)"));
            assertThat(rows(connection, "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                    + " WHERE conrelid = 'warehouse_listings'::regclass AND contype = 'p'"))
                    .containsExactly(List.of("PRIMARY KEY (tenant_id, marketplace, sku)"));
            assertThat(rows(connection, "SELECT is_nullable, column_default, collation_name"
                    + " FROM information_schema.columns WHERE table_schema = current_schema()"
                    + " AND table_name = 'warehouse_listings' AND column_name = 'tenant_id'"))
                    .containsExactly(Arrays.asList("NO", null, "C"));

            // the same marketplace and sku under another tenant is another row
            statement.execute("INSERT INTO warehouse_listings (tenant_id, marketplace, sku, category, source_job_id)"
                    + " VALUES ('acme', 'amazon', 'SKU-1', 'books', 'job-3')");
            assertThat(rows(connection, "SELECT tenant_id, title FROM warehouse_listings"
                    + " WHERE marketplace = 'amazon' AND sku = 'SKU-1' ORDER BY tenant_id"))
                    .containsExactly(Arrays.asList("acme", null), List.of("default", "One"));
            // but not twice under one tenant
            assertThatThrownBy(() -> statement.execute("INSERT INTO warehouse_listings (tenant_id, marketplace, sku,"
                    + " category, source_job_id) VALUES ('acme', 'amazon', 'SKU-1', 'books', 'job-4')"))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23505");
            // and a writer that leaves the tenant out does not land in 'default': it fails
            assertThatThrownBy(() -> statement.execute("INSERT INTO warehouse_listings (marketplace, sku, category,"
                    + " source_job_id) VALUES ('amazon', 'SKU-9', 'books', 'job-5')"))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23502");
        }
    }

    private Flyway flyway(String target) {
        var config = Flyway.configure()
                .dataSource(TestDatabase.url(), TestDatabase.user(), TestDatabase.password())
                .schemas(schema)
                .locations("classpath:db/migration");
        if (target != null) {
            config.target(target);
        }
        return config.load();
    }

    private Connection connect() throws SQLException {
        Connection connection = DriverManager.getConnection(TestDatabase.url(), TestDatabase.user(),
                TestDatabase.password());
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET search_path TO " + schema);
        }
        return connection;
    }

    /** Every row of the query, each as its columns' text (null as null). */
    private static List<List<String>> rows(Connection connection, String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            ResultSetMetaData meta = result.getMetaData();
            while (result.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.add(result.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
