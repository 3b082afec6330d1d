package dev.conveyor.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Loads against a real PostgreSQL: counts, exact values, idempotence, all-or-nothing. */
class WarehouseLoaderTest {

    /** Every load here is one tenant's; WarehouseTenantTest has loads of several. */
    private static final String TENANT = "acme";

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
        // a small buffer, so even these loads stream in several chunks
        loader = new WarehouseLoader(schema.dataSource(), 3);
    }

    @AfterEach
    void everyConnectionGivenBack() {
        assertThat(schema.openConnections()).as("connections the loader did not close").isZero();
    }

    private LoadReport load(String job, String marketplace, String category, String region, String[]... rows)
            throws SQLException {
        try (WarehouseLoad load = loader.begin(TENANT, job, marketplace, category, region)) {
            for (String[] row : rows) {
                load.add(row[0], row[1], row[2], row[3]);
            }
            return load.commit();
        }
    }

    private static String[] row(String sku, String title, String price, String quantity) {
        return new String[] {sku, title, price, quantity};
    }

    private static String[][] numbered(int n) {
        String[][] rows = new String[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = row("SKU-" + i, "Item " + i, i + ".50", Integer.toString(i));
        }
        return rows;
    }

    @Test
    void loadsEveryRowAndReportsIt() throws SQLException {
        LoadReport report = load("job-1", "amazon", "books", "EU", numbered(10));

        assertThat(report.rowsReceived()).isEqualTo(10);
        assertThat(report.distinctSkus()).isEqualTo(10);
        assertThat(report.inserted()).isEqualTo(10);
        assertThat(report.updated()).isZero();
        assertThat(report.unchanged()).isZero();
        assertThat(report.durationMs()).isNotNegative();
        assertThat(schema.count("")).isEqualTo(10);
        assertThat(schema.count("marketplace = 'amazon' AND category = 'books' AND region = 'EU'"
                + " AND source_job_id = 'job-1' AND loaded_at IS NOT NULL AND updated_at IS NOT NULL"
                + " AND enrichment IS NULL")).isEqualTo(10);
        assertThat(schema.rows("SELECT title, price, quantity FROM warehouse_listings WHERE sku = 'SKU-7'"))
                .containsExactly(List.of("Item 7", "7.50", "7"));
    }

    @Test
    void valuesRoundTripExactlyThroughCopy() throws SQLException {
        String[][] rows = {
                row("tab", "a\tb", "12.50", "1"),
                row("newline", "line1\nline2\r\nline3\rend", "0.000001", "0"),
                row("backslash", "C:\\temp\\new \\N \\. \\\\", "123456789012345678901234567890.123456789", "-5"),
                row("quotes", "\"quoted\", 'single', a,b,,c", "-1", "+3"),
                row("unicode", "Café – 東京 – 🚀 – ñ – ÿ – \u00a0nbsp – \u200bzw", "+3", "007"),
                row("controls", "bell\u0007 form\f vt\u000b esc\u001b del\u007f", "007", "9223372036854775807"),
                row("end-of-data", "\\.", "1.0", "1"),
                row("empty", "", "", " "),
                row("nulls", null, null, null),
                row("sku\twith\\odd\nchars ü", "t", "1", "1"),
        };
        LoadReport report = load("job-1", "m", "c", null, rows);

        assertThat(report.inserted()).isEqualTo(rows.length);
        assertThat(schema.rows("SELECT sku, title, price::text, quantity::text FROM warehouse_listings ORDER BY sku"))
                .containsExactly(
                        nulls("backslash", "C:\\temp\\new \\N \\. \\\\", "123456789012345678901234567890.123456789", "-5"),
                        nulls("controls", "bell\u0007 form\f vt\u000b esc\u001b del\u007f", "7", "9223372036854775807"),
                        nulls("empty", "", null, null),
                        nulls("end-of-data", "\\.", "1.0", "1"),
                        nulls("newline", "line1\nline2\r\nline3\rend", "0.000001", "0"),
                        nulls("nulls", null, null, null),
                        nulls("quotes", "\"quoted\", 'single', a,b,,c", "-1", "3"),
                        nulls("sku\twith\\odd\nchars ü", "t", "1", "1"),
                        nulls("tab", "a\tb", "12.50", "1"),
                        nulls("unicode", "Café – 東京 – 🚀 – ñ – ÿ – \u00a0nbsp – \u200bzw", "3", "7"));
        assertThat(schema.count("region IS NULL")).isEqualTo(rows.length);
    }

    /** An expected row; List.of refuses nulls. */
    private static List<String> nulls(String... values) {
        return Arrays.asList(values);
    }

    @Test
    void theSameRowsAgainUnderAnotherJobChangeNothing() throws SQLException {
        load("job-1", "m", "c", "EU", numbered(20));
        List<List<String>> before = schema.snapshot();

        LoadReport again = load("job-2", "m", "c", "EU", numbered(20));

        assertThat(again.rowsReceived()).isEqualTo(20);
        assertThat(again.distinctSkus()).isEqualTo(20);
        assertThat(again.inserted()).isZero();
        assertThat(again.updated()).isZero();
        assertThat(again.unchanged()).isEqualTo(20);
        assertThat(schema.snapshot()).isEqualTo(before);   // source_job_id and updated_at included
        assertThat(schema.count("source_job_id = 'job-1'")).isEqualTo(20);
    }

    @Test
    void aChangedRowIsUpdatedAndTakesTheNewJobId() throws SQLException {
        load("job-1", "m", "c", "EU", numbered(5));
        schema.execute("UPDATE warehouse_listings SET enrichment = '{\"rank\": 1}' WHERE sku = 'SKU-2'");
        String[][] rows = numbered(5);
        rows[2] = row("SKU-2", "Item 2", "2.75", "2");          // new price
        rows[3] = row("SKU-3", "Item 3 (new)", "3.50", "3");    // new title

        LoadReport report = load("job-2", "m", "c", "EU", rows);

        assertThat(report.inserted()).isZero();
        assertThat(report.updated()).isEqualTo(2);
        assertThat(report.unchanged()).isEqualTo(3);
        assertThat(schema.rows("SELECT sku, price::text, source_job_id, enrichment::text,"
                + " updated_at > loaded_at FROM warehouse_listings ORDER BY sku")).containsExactly(
                nulls("SKU-0", "0.50", "job-1", null, "f"),
                nulls("SKU-1", "1.50", "job-1", null, "f"),
                nulls("SKU-2", "2.75", "job-2", "{\"rank\": 1}", "t"),
                nulls("SKU-3", "3.50", "job-2", null, "t"),
                nulls("SKU-4", "4.50", "job-1", null, "f"));
    }

    @Test
    void categoryAndRegionAreDataToo() throws SQLException {
        load("job-1", "m", "c", "EU", numbered(3));

        assertThat(load("job-2", "m", "c", null, numbered(3)).updated()).isEqualTo(3);
        assertThat(load("job-3", "m", "c", null, numbered(3)).unchanged()).isEqualTo(3);
        assertThat(load("job-4", "m", "d", null, numbered(3)).updated()).isEqualTo(3);
        assertThat(schema.count("category = 'd' AND region IS NULL AND source_job_id = 'job-4'")).isEqualTo(3);
    }

    @Test
    void aPriceIsComparedByValueSoARewrittenScaleIsUnchanged() throws SQLException {
        load("job-1", "m", "c", null, new String[][] {row("a", "t", "12.50", "1")});

        LoadReport report = load("job-2", "m", "c", null, new String[][] {row("a", "t", "12.5", "1")});

        assertThat(report.unchanged()).isEqualTo(1);
        assertThat(schema.rows("SELECT price::text, source_job_id FROM warehouse_listings"))
                .containsExactly(List.of("12.50", "job-1"));
    }

    @Test
    void aSkuRepeatedInOneLoadKeepsItsLastRowAndCountsOnce() throws SQLException {
        LoadReport report = load("job-1", "m", "c", null,
                row("a", "first", "1", "1"),
                row("b", "only", "5", "5"),
                row("a", "second", "2", "2"),
                row("c", "x", "7", "7"),
                row("a", "third", "3", "3"),
                row("c", "y", "8", "8"));

        assertThat(report.rowsReceived()).isEqualTo(6);
        assertThat(report.distinctSkus()).isEqualTo(3);
        assertThat(report.inserted()).isEqualTo(3);
        assertThat(schema.rows("SELECT sku, title, price::text FROM warehouse_listings ORDER BY sku"))
                .containsExactly(List.of("a", "third", "3"), List.of("b", "only", "5"), List.of("c", "y", "8"));

        // the repeated skus against existing rows: the last one decides whether it changed
        LoadReport again = load("job-2", "m", "c", null,
                row("a", "other", "9", "9"), row("a", "third", "3", "3"), row("b", "only", "5", "5"),
                row("b", "changed", "5", "5"));
        assertThat(again.distinctSkus()).isEqualTo(2);
        assertThat(again.unchanged()).isEqualTo(1);
        assertThat(again.updated()).isEqualTo(1);
        assertThat(schema.rows("SELECT title FROM warehouse_listings WHERE sku = 'b'")).containsExactly(List.of("changed"));
    }

    @Test
    void theSameSkuInTwoMarketplacesIsTwoRows() throws SQLException {
        assertThat(load("job-1", "amazon", "c", null, row("X1", "t", "1", "1")).inserted()).isEqualTo(1);
        assertThat(load("job-2", "ebay", "c", null, row("X1", "t", "1", "1")).inserted()).isEqualTo(1);

        assertThat(schema.rows("SELECT marketplace, sku, source_job_id FROM warehouse_listings ORDER BY marketplace"))
                .containsExactly(List.of("amazon", "X1", "job-1"), List.of("ebay", "X1", "job-2"));
    }

    // A marketplace's first load skips the merge's join (nothing can match): the next tests pin that path down.

    @Test
    void aMarketplacesFirstLoadKeepsARepeatedSkusLastRowAndLeavesOtherMarketplacesAlone() throws SQLException {
        load("job-1", "amazon", "c", null, row("a", "amazon a", "1", "1"), row("b", "amazon b", "2", "2"));
        List<List<String>> amazon = schema.rows("SELECT * FROM warehouse_listings ORDER BY sku");

        LoadReport first = load("job-2", "ebay", "c", "EU",
                row("a", "first", "1", "1"), row("b", "only", "5", "5"), row("a", "second", "2", "2"),
                row("a", "third", "3", "3"));

        assertThat(first.rowsReceived()).isEqualTo(4);
        assertThat(first.distinctSkus()).isEqualTo(2);
        assertThat(first.inserted()).isEqualTo(2);
        assertThat(first.updated()).isZero();
        assertThat(first.unchanged()).isZero();
        assertThat(schema.rows("SELECT sku, title, price::text, region, source_job_id FROM warehouse_listings"
                + " WHERE marketplace = 'ebay' ORDER BY sku")).containsExactly(
                List.of("a", "third", "3", "EU", "job-2"), List.of("b", "only", "5", "EU", "job-2"));
        assertThat(schema.rows("SELECT * FROM warehouse_listings WHERE marketplace = 'amazon' ORDER BY sku"))
                .isEqualTo(amazon);
    }

    @Test
    void aLoadAfterAMarketplacesFirstLoadUpdatesOnlyTheChangedRows() throws SQLException {
        load("job-1", "m", "c", null, numbered(5));

        String[][] rows = numbered(6);
        rows[2] = row("SKU-2", "changed", "2.50", "2");
        LoadReport second = load("job-2", "m", "c", null, rows);

        assertThat(second.inserted()).isEqualTo(1);
        assertThat(second.updated()).isEqualTo(1);
        assertThat(second.unchanged()).isEqualTo(4);
        assertThat(schema.count("")).isEqualTo(6);
        assertThat(schema.rows("SELECT sku, title, source_job_id FROM warehouse_listings WHERE source_job_id = 'job-2'"
                + " ORDER BY sku")).containsExactly(List.of("SKU-2", "changed", "job-2"), List.of("SKU-5", "Item 5", "job-2"));
    }

    @Test
    void aMarketplacesFirstLoadThatFailsAtTheServerLeavesItEmptyAndCanBeRunAgain() throws SQLException {
        load("job-0", "other", "c", null, numbered(2));
        List<List<String>> before = schema.snapshot();
        try (WarehouseLoad load = loader.begin(TENANT, "job-1", "m", "c", null)) {
            for (String[] row : numbered(10)) {
                load.add(row[0], row[1], row[2], row[3]);
            }
            load.add("big", "t", "1", "99999999999999999999");   // plain integer text, but not a bigint
            assertThatThrownBy(load::commit).isInstanceOf(SQLException.class).hasMessageContaining("out of range");
        }
        assertThat(schema.snapshot()).isEqualTo(before);

        assertThat(load("job-1", "m", "c", null, numbered(10)).inserted()).isEqualTo(10);
        assertThat(load("job-1", "m", "c", null, numbered(10)).unchanged()).isEqualTo(10);
        assertThat(schema.count("marketplace = 'm'")).isEqualTo(10);
    }

    @Test
    void aBadValueMidwayRollsTheWholeLoadBack() throws SQLException {
        load("job-1", "m", "c", "EU", numbered(4));
        List<List<String>> before = schema.snapshot();
        String[][] rows = numbered(40);
        rows[0] = row("SKU-0", "changed", "0.50", "0");   // would be an update
        rows[20] = row("SKU-20", "t", "1", "12.5");       // not an integer: COPY rejects it

        WarehouseLoad load = loader.begin(TENANT, "job-2", "m", "c", "EU");
        assertThatThrownBy(() -> {
            for (String[] row : rows) {
                load.add(row[0], row[1], row[2], row[3]);
            }
            load.commit();
        }).isInstanceOf(SQLException.class).hasMessageContaining("row 21").hasMessageContaining("\"12.5\"");

        assertThat(schema.snapshot()).isEqualTo(before);
        assertThatThrownBy(load::commit).isInstanceOf(SQLException.class).hasMessageContaining("rolled back");
        assertThatThrownBy(() -> load.add("z", "t", "1", "1")).isInstanceOf(SQLException.class);
        load.close();
        load.close();
        assertThat(schema.snapshot()).isEqualTo(before);
    }

    @Test
    void aValueOnlyTheServerRejectsRollsBackAtCommit() throws SQLException {
        load("job-1", "m", "c", null, numbered(2));
        List<List<String>> before = schema.snapshot();
        try (WarehouseLoad load = loader.begin(TENANT, "job-2", "m", "c", null)) {
            for (String[] row : numbered(10)) {
                load.add(row[0], "changed", row[2], row[3]);
            }
            load.add("big", "t", "1", "99999999999999999999");   // plain integer text, but not a bigint
            assertThatThrownBy(load::commit).isInstanceOf(SQLException.class).hasMessageContaining("out of range");
        }
        assertThat(schema.snapshot()).isEqualTo(before);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "NaN|1", "Infinity|1", "1e3|1", "0x1F|1", "1_000|1", ".5|1", "12.|1", "1,50|1", "' 12.50'|1", "--1|1",
            "1|1.0", "1|1e3", "1|0x1F", "1|1_000", "1|+", "1|NaN"})
    void numbersThatAreNotPlainNotationAreRefusedWhenAdded(String price, String quantity) throws SQLException {
        try (WarehouseLoad load = loader.begin(TENANT, "job-1", "m", "c", null)) {
            load.add("a", "fine", "1.00", "1");
            assertThatThrownBy(() -> load.add("b", "t", price, quantity))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("row 2 of job job-1")
                    .hasMessageContaining("is not plain")
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("22P02");
            assertThatThrownBy(load::commit).isInstanceOf(SQLException.class);
        }
        assertThat(schema.count("")).isZero();
    }

    @Test
    void closingWithoutCommitLeavesTheTableAsItWas() throws SQLException {
        load("job-1", "m", "c", null, numbered(3));
        List<List<String>> before = schema.snapshot();

        WarehouseLoad load = loader.begin(TENANT, "job-2", "m", "c", null);
        for (String[] row : numbered(10)) {
            load.add(row[0], "changed", row[2], row[3]);
        }
        load.close();
        load.close();

        assertThat(schema.snapshot()).isEqualTo(before);
        assertThatThrownBy(load::commit).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nothingIsVisibleBeforeCommit() throws SQLException {
        try (WarehouseLoad load = loader.begin(TENANT, "job-1", "m", "c", null)) {
            for (String[] row : numbered(10)) {
                load.add(row[0], row[1], row[2], row[3]);
            }
            assertThat(load.rowsReceived()).isEqualTo(10);
            assertThat(schema.count("")).isZero();
            load.commit();
            assertThat(schema.count("")).isEqualTo(10);
            assertThatThrownBy(load::commit).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void textPostgresCannotStoreFailsTheLoadBeforeItIsSent() throws SQLException {
        try (WarehouseLoad load = loader.begin(TENANT, "job-1", "m", "c", null)) {
            load.add("a", "fine", "1", "1");
            assertThatThrownBy(() -> load.add("b", "nul\u0000here", "1", "1"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("row 2")
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("22021");
        }
        try (WarehouseLoad load = loader.begin(TENANT, "job-1", "m", "c", null)) {
            assertThatThrownBy(() -> load.add("b", "lone \ud800 surrogate", "1", "1"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("surrogate");
        }
        try (WarehouseLoad load = loader.begin(TENANT, "job-1", "m", "c", null)) {
            assertThatThrownBy(() -> load.add(" ", "no sku", "1", "1"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("sku is required");
        }
        assertThat(schema.count("")).isZero();
    }

    @Test
    void anEmptyLoadCommitsNothing() throws SQLException {
        LoadReport report = load("job-1", "m", "c", null);
        assertThat(report.toMap()).containsExactly(
                Map.entry("rows_received", 0L), Map.entry("distinct_skus", 0L), Map.entry("inserted", 0L),
                Map.entry("updated", 0L), Map.entry("unchanged", 0L), Map.entry("deleted", 0L),
                Map.entry("duration_ms", report.durationMs()), Map.entry("load_path", "inserted"));
    }

    @Test
    void aLoadWaitingForAnotherMergeInTheSameMarketplaceSeesItsRows() throws Exception {
        // The other merge is played by a transaction holding the marketplace's lock, inserting a sku this load has too.
        try (Connection other = schema.connect()) {
            other.setAutoCommit(false);
            try (PreparedStatement lock = other.prepareStatement(WarehouseLoad.LOCK_TENANT_MARKETPLACE);
                 Statement s = other.createStatement()) {
                lock.setString(1, TENANT);
                lock.setString(2, "m");
                lock.execute();
                s.execute("INSERT INTO warehouse_listings (tenant_id, marketplace, sku, category, title, price,"
                        + " quantity, source_job_id) VALUES ('" + TENANT + "', 'm', 'SKU-1', 'c', 'Item 1', 1.50, 1,"
                        + " 'other-job')");
            }
            WarehouseLoad load = loader.begin(TENANT, "job-1", "m", "c", null);
            for (String[] row : numbered(3)) {
                load.add(row[0], row[1], row[2], row[3]);
            }
            CompletableFuture<LoadReport> commit = CompletableFuture.supplyAsync(() -> {
                try (load) {
                    return load.commit();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitAdvisoryLockWaiter();
            assertThat(commit).isNotDone();
            other.commit();

            LoadReport report = commit.get(20, TimeUnit.SECONDS);
            assertThat(report.inserted()).isEqualTo(2);
            assertThat(report.unchanged()).isEqualTo(1);
        }
        assertThat(schema.rows("SELECT sku, source_job_id FROM warehouse_listings ORDER BY sku")).containsExactly(
                List.of("SKU-0", "job-1"), List.of("SKU-1", "other-job"), List.of("SKU-2", "job-1"));
    }

    private static void awaitAdvisoryLockWaiter() {
        // two-key advisory locks show their keys as oids: the int4 hashes read unsigned
        String waiters = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " AND classid::bigint = hashtext('warehouse_listings')::bigint & 4294967295"
                + " AND objid::bigint = hashtext('" + TENANT + "/m')::bigint & 4294967295";
        await("the load waiting for the tenant's marketplace lock").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20)).until(() -> schema.queryLong(waiters) > 0);
    }
}
