package dev.conveyor.warehouse;

import java.sql.SQLException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A million rows streamed from a generator, never held: the load completes and counts right. The rows/s it
 * prints are a figure for the notes, not an assertion.
 */
@Tag("slow") // a million rows through the warehouse load
class WarehouseMillionRowsTest {

    private static final int ROWS = 1_000_000;
    private static final int REPEATS_EVERY = 1_000;   // every 1000th row repeats an earlier sku

    private static WarehouseSchema schema;

    @BeforeAll
    static void createSchema() throws Exception {
        schema = WarehouseSchema.create();
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        schema.close();
    }

    @Test
    void loadsAMillionStreamedRows() throws SQLException {
        WarehouseLoader loader = new WarehouseLoader(schema.dataSource(), 10_000);
        long started = System.nanoTime();
        long streamedAt;
        LoadReport report;
        try (WarehouseLoad load = loader.begin("acme", "job-big", "amazon", "books", "EU")) {
            for (int i = 0; i < ROWS; i++) {
                // the repeat gets a different title, and being later in the file it must win
                boolean repeat = i % REPEATS_EVERY == REPEATS_EVERY - 1;
                int sku = repeat ? i - REPEATS_EVERY / 2 : i;
                load.add("SKU-" + sku, (repeat ? "Repeat " : "Book ") + sku + " \u2013 a title, with\ttabs",
                        (sku % 10_000) + "." + (sku % 100 < 10 ? "0" : "") + (sku % 100),
                        Integer.toString(sku % 1_000));
            }
            streamedAt = System.nanoTime();
            report = load.commit();
        }
        long finished = System.nanoTime();

        long repeats = ROWS / REPEATS_EVERY;
        assertThat(report.rowsReceived()).isEqualTo(ROWS);
        assertThat(report.distinctSkus()).isEqualTo(ROWS - repeats);
        assertThat(report.inserted()).isEqualTo(ROWS - repeats);
        assertThat(report.updated()).isZero();
        assertThat(report.unchanged()).isZero();
        assertThat(schema.count("")).isEqualTo(ROWS - repeats);
        assertThat(schema.count("title LIKE 'Repeat %'")).isEqualTo(repeats);
        assertThat(schema.rows("SELECT title, price::text, quantity FROM warehouse_listings WHERE sku = 'SKU-1234'"))
                .containsExactly(java.util.List.of("Book 1234 \u2013 a title, with\ttabs", "1234.34", "234"));
        assertThat(schema.openConnections()).isZero();

        double seconds = (finished - started) / 1e9;
        System.out.printf("warehouse load: %,d rows in %.2f s = %,.0f rows/s (streaming into COPY %.2f s,"
                        + " endCopy + merge + commit %.2f s)%n", ROWS, seconds, ROWS / seconds,
                (streamedAt - started) / 1e9, (finished - streamedAt) / 1e9);
    }
}
