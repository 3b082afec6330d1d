package dev.conveyor.warehouse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A validation's spooled rows, loaded against a real PostgreSQL: the same rows as adding them one by one. */
class RowSpoolTest {

    private static final RowSpool.Source SOURCE = new RowSpool.Source("inbox/m/c/.done/a.csv", 1234, 5678, "default");
    private static final RowSpool.Counts COUNTS = new RowSpool.Counts(9, 7, 2, 1);

    private static WarehouseSchema schema;
    private WarehouseLoader loader;

    @TempDir
    Path dir;

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
        loader = new WarehouseLoader(schema.dataSource(), 3);
    }

    @AfterEach
    void everyConnectionGivenBack() {
        assertThat(schema.openConnections()).as("connections the loader did not close").isZero();
    }

    /** Values that need escaping or are stored as NULL, and a sku repeated so its last row must win. */
    private static final String[][] ROWS = {
            {"A-1", "tab\there, newline\nthere, back\\slash", "12.50", "3"},
            {"A-2", "\u00e9t\u00e9 \u2013 \uD83D\uDE00", "+3", "-1"},
            {"A-3", null, "", " "},
            {"A-1", "second A-1 wins", "0.01", "0"},
            {"A-4", "carriage\rreturn", "007", "42"},
    };

    private RowSpool spool(String name, String[][] rows) throws IOException {
        try (RowSpool.Writer writer = RowSpool.create(dir, name)) {
            for (String[] row : rows) {
                writer.add(row[0], row[1], row[2], row[3]);
            }
            assertThat(writer.finish(SOURCE, COUNTS)).isTrue();
        }
        return RowSpool.find(dir, name, SOURCE).orElseThrow();
    }

    private List<List<String>> rowsOf(String marketplace) throws SQLException {
        return schema.rows("SELECT sku, title, price::text, quantity::text FROM warehouse_listings WHERE marketplace = '"
                + marketplace + "' ORDER BY sku");
    }

    @Test
    void aSpooledLoadStoresExactlyWhatAddingTheRowsOneByOneStores() throws Exception {
        LoadReport added;
        try (WarehouseLoad load = loader.begin("acme", "job-1", "by_row", "c", null)) {
            for (String[] row : ROWS) {
                load.add(row[0], row[1], row[2], row[3]);
            }
            added = load.commit();
        }
        RowSpool spool = spool("job-0", ROWS);
        assertThat(spool.rows()).isEqualTo(ROWS.length);
        assertThat(spool.counts()).isEqualTo(COUNTS);
        LoadReport spooled;
        try (WarehouseLoad load = loader.begin("acme", "job-2", "spooled", "c", null)) {
            load.addSpooled(spool, sent -> { });
            spooled = load.commit();
        }

        assertThat(rowsOf("spooled")).isEqualTo(rowsOf("by_row")).hasSize(4);
        assertThat(rowsOf("spooled")).contains(List.of("A-1", "second A-1 wins", "0.01", "0"));
        assertThat(List.of(spooled.rowsReceived(), spooled.distinctSkus(), spooled.inserted()))
                .isEqualTo(List.of(added.rowsReceived(), added.distinctSkus(), added.inserted()));

        // the same spool again is a replay: nothing changes
        try (WarehouseLoad load = loader.begin("acme", "job-3", "spooled", "c", null)) {
            load.addSpooled(spool, sent -> { });
            assertThat(load.commit().unchanged()).isEqualTo(4);
        }
        spool.delete();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aSpoolIsUsedOnlyForTheSourceItWasMadeFrom() throws Exception {
        spool("job-0", ROWS);

        assertThat(RowSpool.find(dir, "job-0", SOURCE)).isPresent();
        assertThat(RowSpool.find(dir, "job-0", new RowSpool.Source("other.csv", 1234, 5678, "default"))).isEmpty();
        assertThat(RowSpool.find(dir, "job-0", new RowSpool.Source(SOURCE.file(), 1235, 5678, "default"))).isEmpty();
        assertThat(RowSpool.find(dir, "job-0", new RowSpool.Source(SOURCE.file(), 1234, 5679, "default"))).isEmpty();
        assertThat(RowSpool.find(dir, "job-0", new RowSpool.Source(SOURCE.file(), 1234, 5678, "amazon/books")))
                .isEmpty();
        assertThat(RowSpool.find(dir, "job-9", SOURCE)).isEmpty();

        // rows cut short (a disk that filled up, a crash) is no spool either
        try (var channel = Files.newByteChannel(dir.resolve("job-0.copy"), StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 1);
        }
        assertThat(RowSpool.find(dir, "job-0", SOURCE)).isEmpty();
    }

    @Test
    void aRowTheWarehouseCannotHoldLeavesNoSpoolSoTheLoadReadsTheFileAndNamesTheRow() throws Exception {
        try (RowSpool.Writer writer = RowSpool.create(dir, "job-0")) {
            writer.add("A-1", "fine", "1", "1");
            writer.add("A-2", "nul \u0000 inside", "1", "1");
            writer.add("A-3", "fine", "1", "1");
            assertThat(writer.finish(SOURCE, COUNTS)).isFalse();
        }
        assertThat(RowSpool.find(dir, "job-0", SOURCE)).isEmpty();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aWriterClosedUnfinishedLeavesNothing() throws Exception {
        try (RowSpool.Writer writer = RowSpool.create(dir, "job-0")) {
            writer.add("A-1", "fine", "1", "1");
        }
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aLoadStoppedAtAProgressCheckpointRollsBackAndGivesItsConnectionBack() throws Exception {
        try (WarehouseLoad load = loader.begin("acme", "job-1", "m", "c", null)) {
            load.add("KEEP", "kept", "1", "1");
            load.commit();
        }
        List<List<String>> before = schema.snapshot();
        // enough rows for the spool to pass a progress checkpoint (every 8 MiB sent)
        String[][] many = new String[300_000][];
        for (int i = 0; i < many.length; i++) {
            many[i] = new String[] {"S-" + i, "a title long enough to make the rows add up", "1.00", "1"};
        }
        RowSpool spool = spool("job-0", many);
        assertThat(Files.size(spool.data())).isGreaterThan(8L << 20);

        WarehouseLoad load = loader.begin("acme", "job-2", "m", "c", null);
        assertThatThrownBy(() -> load.addSpooled(spool, sent -> {
            throw new IllegalStateException("cancelled at " + sent);
        })).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("cancelled at ");
        assertThatThrownBy(load::commit).isInstanceOf(SQLException.class).hasMessageContaining("rolled back");
        load.close();

        assertThat(schema.snapshot()).isEqualTo(before);
    }
}
