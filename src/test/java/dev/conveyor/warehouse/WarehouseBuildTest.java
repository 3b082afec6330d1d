package dev.conveyor.warehouse;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A table built while its file is validated (WarehouseBuild) and attached by the chained load (WarehouseBuilds), against
 * a real PostgreSQL: nothing is visible or left behind until the build is finished, a finished build is attached in one
 * step with the load's counts, and a build that does not fit (a repeated sku, other rows, a tenant that has rows by now)
 * is never attached, so the load goes its usual way.
 */
class WarehouseBuildTest {

    private static final String TENANT = "acme";

    private WarehouseSchema schema;
    private WarehouseBuilds builds;

    @BeforeEach
    void createSchema() throws Exception {
        schema = WarehouseSchema.create();
        // a pipe of one chunk: the validating thread waits for the COPY thread at every hand-off
        builds = new WarehouseBuilds(schema.dataSource(), 1);
    }

    @AfterEach
    void dropSchema() throws SQLException {
        assertThat(schema.openConnections()).as("connections the build did not close").isZero();
        schema.close();
    }

    private WarehouseBuild build(String validationJob, String marketplace, int rows) throws SQLException {
        WarehouseBuild build = builds.start(TENANT, validationJob, marketplace, "books", "EU").orElseThrow();
        for (int i = 0; i < rows; i++) {
            build.add("SKU-" + (i * 7919L % rows), "Title\t" + i, i + ".50", Integer.toString(i % 7));
        }
        return build;
    }

    private long tables(String pattern) throws SQLException {
        return schema.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
                + " AND tablename LIKE '" + pattern + "'");
    }

    @Test
    void aBuildFinishedByItsValidationIsAttachedByItsLoadInOneStep() throws SQLException {
        int rows = 20_000;   // several chunks of the pipe
        try (WarehouseBuild build = build("val-1", "amazon", rows)) {
            assertThat(tables("warehouse\\_build\\_%")).as("an unfinished build seen from outside").isZero();
            assertThat(build.finish()).isTrue();
        }
        assertThat(tables("warehouse\\_build\\_%")).isEqualTo(1);
        assertThat(schema.count("")).as("rows before the attach").isZero();

        LoadReport report = builds.attach(TENANT, "load-1", "amazon", "books", "EU", "val-1", rows).orElseThrow();

        assertThat(report.path()).isEqualTo(LoadReport.Path.ATTACHED);
        assertThat(report.toMap()).containsEntry("rows_received", (long) rows).containsEntry("distinct_skus", (long) rows)
                .containsEntry("inserted", (long) rows).containsEntry("updated", 0L).containsEntry("unchanged", 0L)
                .containsEntry("deleted", 0L);
        assertThat(schema.count("tenant_id = 'acme' AND marketplace = 'amazon' AND category = 'books'"
                + " AND region = 'EU' AND source_job_id = 'val-1'")).isEqualTo(rows);
        assertThat(schema.rows("SELECT sku, title, price::text, quantity FROM warehouse_listings WHERE sku = 'SKU-7919'"))
                .containsExactly(List.of("SKU-7919", "Title\t1", "1.50", "1"));
        String table = WarehousePartitions.marketplaceTable(TENANT, "amazon");
        assertThat(schema.rows("SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = '" + table
                + "'::regclass")).containsExactly(List.of(WarehousePartitions.tenantTable(TENANT)));
        assertThat(schema.rows("SELECT indexname FROM pg_indexes WHERE tablename = '" + table + "' ORDER BY 1"))
                .containsExactly(List.of(table + "_category_idx"), List.of(table + "_pkey"),
                        List.of(table + "_source_job_idx"));
        assertThat(schema.queryLong("SELECT count(*) FROM information_schema.columns WHERE table_name = '" + table
                + "' AND column_default IS NOT NULL")).as("defaults beyond the warehouse's two").isEqualTo(2);
        assertThat(schema.queryLong("SELECT count(*) FROM pg_stats WHERE schemaname = current_schema()"
                + " AND tablename = '" + table + "'"
                + " AND attname IN ('tenant_id', 'marketplace', 'category', 'sku')"))
                .as("column statistics, from the build's ANALYZE").isEqualTo(4);
        assertThat(tables("warehouse\\_build\\_%")).isZero();
        assertThat(schema.queryLong("SELECT count(*) FROM warehouse_builds")).isZero();
    }

    @Test
    void aBuildClosedBeforeItIsFinishedLeavesNothing() throws SQLException {
        try (WarehouseBuild build = build("val-2", "amazon", 5_000)) {
            assertThat(build.rows()).isEqualTo(5_000);
        }

        assertThat(tables("warehouse\\_build\\_%")).isZero();
        assertThat(schema.queryLong("SELECT count(*) FROM warehouse_builds")).isZero();
        assertThat(builds.attach(TENANT, "load-2", "amazon", "books", "EU", "val-2", 5_000)).isEmpty();
        assertThat(schema.count("")).isZero();
    }

    @Test
    void aBuildWithARepeatedSkuOrAValuePostgresCannotHoldIsNotKept() throws SQLException {
        try (WarehouseBuild build = builds.start(TENANT, "val-3", "amazon", "books", null).orElseThrow()) {
            build.add("SKU-1", "One", "1", "1");
            build.add("SKU-1", "One again", "2", "1");
            assertThat(build.finish()).as("the primary key proves the skus unique, or there is no build").isFalse();
        }
        try (WarehouseBuild build = builds.start(TENANT, "val-4", "amazon", "books", null).orElseThrow()) {
            build.add("SKU-1", "N\u0000L", "1", "1");
            assertThat(build.finish()).isFalse();
        }

        assertThat(tables("warehouse\\_build\\_%")).isZero();
        assertThat(schema.queryLong("SELECT count(*) FROM warehouse_builds")).isZero();
    }

    @Test
    void aBuildThatNoLongerFitsIsDroppedAndNotAttached() throws SQLException {
        try (WarehouseBuild build = build("val-5", "amazon", 100)) {
            assertThat(build.finish()).isTrue();
        }
        assertThat(builds.attach(TENANT, "load-5", "amazon", "books", "EU", "val-5", 99)).as("other rows").isEmpty();
        assertThat(tables("warehouse\\_build\\_%")).isZero();

        try (WarehouseBuild build = build("val-6", "amazon", 100)) {
            assertThat(build.finish()).isTrue();
        }
        // another load made the tenant's first rows in the marketplace meanwhile
        try (WarehouseLoad load = new WarehouseLoader(schema.dataSource(), 10).begin(TENANT, "other", "amazon",
                "books", "EU")) {
            load.add("SKU-X", "X", "1", "1");
            load.commit();
        }
        assertThat(builds.attach(TENANT, "load-6", "amazon", "books", "EU", "val-6", 100)).isEmpty();
        assertThat(tables("warehouse\\_build\\_%")).isZero();
        assertThat(schema.count("")).isEqualTo(1);
        assertThat(builds.start(TENANT, "val-7", "amazon", "books", "EU")).as("no build for a re-load").isEmpty();
    }

    @Test
    void aRetriedValidationReplacesWhatItsEarlierAttemptCommitted() throws SQLException {
        try (WarehouseBuild build = build("val-8", "amazon", 10)) {
            assertThat(build.finish()).isTrue();
        }
        try (WarehouseBuild build = build("val-8", "amazon", 30)) {
            assertThat(build.finish()).isTrue();
        }

        Optional<LoadReport> report = builds.attach(TENANT, "load-8", "amazon", "books", "EU", "val-8", 30);

        assertThat(report).map(LoadReport::inserted).contains(30L);
        assertThat(schema.count("")).isEqualTo(30);
    }
}
