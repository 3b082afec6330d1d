package dev.conveyor;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorInstance;
import dev.conveyor.support.QueueBroker;
import dev.conveyor.support.ServiceProcess;
import dev.conveyor.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of the packaged service at the worst moment of each load path, on the memory backend (WorkerCrashIT covers
 * the backends, killing a load while its rows stream): a first load killed with its table built and its ATTACH
 * waiting, and a re-load killed with every row staged and its merge waiting; a big file's validation killed while its
 * valid rows stream into the table its load will attach (the overlapped path), then that load killed at its ATTACH;
 * and a replace killed at its merge. The test itself holds the lock each one waits for, so the kill lands exactly
 * there (the overlapped COPY waits for nothing: it is killed once PostgreSQL reports part of the rows copied). Each
 * time the warehouse is left as it was before the load, and a restarted instance's retry finishes the load once.
 */
@Tag("slow") // starts and kills service processes
class WarehouseLoadCrashIT {

    private static final int ROWS = 60_000;
    private static final int CHANGE_EVERY = 50;
    private static final String MARKETPLACE = "crash_attach";
    /** Big enough (about 15 MB) that its validation streams for a while: the kill must land while rows stream. */
    private static final int BIG_ROWS = 400_000;

    private String schema;
    private Path work;
    private Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        schema = ConveyorInstance.newSchema();
        work = Files.createTempDirectory("conveyor-load-crash");
        env = new HashMap<>(Map.of(
                // the schema as the sessions' application name: the waits below look at this class's own sessions
                // in the server-wide pg_stat_activity, not at another test's loads beside it (two forks)
                "DB_URL", TestDatabase.url() + (TestDatabase.url().contains("?") ? "&" : "?")
                        + "ApplicationName=" + schema,
                "DB_USER", TestDatabase.user(), "DB_PASSWORD", TestDatabase.password(),
                "DB_SCHEMA", schema, "DATA_DIR", work.resolve("data").toString(),
                "INBOX_DIR", work.resolve("inbox").toString(),
                "JOB_LEASE_SECONDS", "4", "JOB_REAPER_PERIOD_MS", "500"));
        env.putAll(QueueBroker.MEMORY.environment(schema));
        env.putAll(Map.of("LANE_HIGH_CONSUMERS", "1", "LANE_NORMAL_CONSUMERS", "1", "LANE_LOW_CONSUMERS", "1"));
    }

    @AfterEach
    void tearDown() {
        ConveyorInstance.dropSchema(schema);
    }

    @Test
    void aLoadKilledAtTheAttachOrAtTheMergeLeavesTheWarehouseAsItWasAndItsRetryFinishesOnce() throws Exception {
        int port = ServiceProcess.freePort();
        String firstLoad;
        try (ServiceProcess victim = ServiceProcess.start("load-crash-attach", port, env);
             Connection blocker = connect()) {
            // the root's default partition: attaching the tenant's first partition must lock it
            blocker.setAutoCommit(false);
            execute(blocker, "LOCK TABLE warehouse_listings_default IN ACCESS SHARE MODE");
            dropFile(victim.api(), "listings.csv", 0);
            firstLoad = awaitLoadWaitingIn("ALTER TABLE % ATTACH PARTITION %");
            victim.kill();
            blocker.commit();
        }
        awaitNoSessionOf("ATTACH PARTITION");
        assertThat(count("SELECT count(*) FROM %s.warehouse_listings")).as("rows after the kill").isZero();
        assertThat(count("SELECT count(*) FROM pg_tables WHERE schemaname = '%s'"
                + " AND tablename LIKE 'warehouse\\_listings\\_p\\_%%'")).as("built tables left behind").isZero();

        String reload;
        try (ServiceProcess survivor = ServiceProcess.start("load-crash-merge", port, env);
             Connection blocker = connect()) {
            JsonNode first = survivor.api().awaitFinished(firstLoad, Duration.ofMinutes(3));
            assertThat(first.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(first.get("retry_count").asInt()).isEqualTo(1);
            assertThat(first.get("result").get("load_path").asText()).isEqualTo("attached");
            assertThat(first.get("result").get("inserted").asLong()).isEqualTo(ROWS);
            assertThat(count("SELECT count(*) FROM %s.warehouse_listings")).isEqualTo(ROWS);
            assertThat(completedEvents(firstLoad)).isEqualTo(1);

            // the re-load: the tenant's marketplace lock, which every merge takes after its rows are staged
            blocker.setAutoCommit(false);
            execute(blocker, "SELECT pg_advisory_xact_lock(hashtext('warehouse_listings'), hashtext('default/"
                    + MARKETPLACE + "'))");
            dropFile(survivor.api(), "listings-changed.csv", CHANGE_EVERY);
            reload = awaitLoadWaitingIn("SELECT pg_advisory_xact_lock%");
            survivor.kill();
            blocker.commit();
        }
        awaitNoSessionOf("pg_advisory_xact_lock(hashtext('warehouse_listings')");
        assertThat(count("SELECT count(*) FROM %s.warehouse_listings WHERE source_job_id = '" + reload + "'"))
                .as("rows the killed re-load changed").isZero();

        try (ServiceProcess last = ServiceProcess.start("load-crash-retry", port, env)) {
            JsonNode second = last.api().awaitFinished(reload, Duration.ofMinutes(3));
            assertThat(second.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(second.get("retry_count").asInt()).isEqualTo(1);
            assertThat(second.get("result").get("load_path").asText()).isEqualTo("merged");
            assertThat(second.get("result").get("updated").asLong()).isEqualTo(ROWS / CHANGE_EVERY);
            assertThat(second.get("result").get("unchanged").asLong()).isEqualTo(ROWS - ROWS / CHANGE_EVERY);
            assertThat(count("SELECT count(*) FROM %s.warehouse_listings")).isEqualTo(ROWS);
            assertThat(count("SELECT count(*) FROM %s.warehouse_listings WHERE source_job_id = '" + reload + "'"))
                    .isEqualTo(ROWS / CHANGE_EVERY);
            assertThat(completedEvents(reload)).isEqualTo(1);
        }
    }

    @Test
    void aValidationKilledWhileItsRowsStreamIntoTheLoadsTableAndThenItsLoadKilledAtTheAttachLoadOnce()
            throws Exception {
        env.put("WAREHOUSE_OVERLAP_MIN_BYTES", "0");
        int port = ServiceProcess.freePort();
        String validation;
        try (ServiceProcess victim = ServiceProcess.start("load-crash-overlap", port, env)) {
            dropFile("listings.csv", BIG_ROWS, 0);
            validation = awaitBuildStreaming();
            victim.kill();
        }
        awaitNoSessionOf("COPY warehouse_build_");
        assertThat(count("SELECT count(*) FROM %s.warehouse_listings")).as("rows after the kill").isZero();
        assertThat(buildTables()).as("build tables left behind").isZero();
        assertThat(count("SELECT count(*) FROM %s.warehouse_builds")).as("builds recorded").isZero();

        String load;
        try (ServiceProcess survivor = ServiceProcess.start("load-crash-overlap-attach", port, env);
             Connection blocker = connect()) {
            // the root's default partition: attaching the tenant's first partition must lock it
            blocker.setAutoCommit(false);
            execute(blocker, "LOCK TABLE warehouse_listings_default IN ACCESS SHARE MODE");
            JsonNode validated = survivor.api().awaitFinished(validation, Duration.ofMinutes(3));
            assertThat(validated.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(validated.get("retry_count").asInt()).isEqualTo(1);
            load = awaitLoadWaitingIn("ALTER TABLE % ATTACH PARTITION %");
            survivor.kill();
            blocker.commit();
        }
        awaitNoSessionOf("ATTACH PARTITION");
        assertThat(count("SELECT count(*) FROM %s.warehouse_listings")).as("rows after the second kill").isZero();
        assertThat(count("SELECT count(*) FROM %s.warehouse_builds")).as("the retried validation's build, kept")
                .isEqualTo(1);

        try (ServiceProcess last = ServiceProcess.start("load-crash-overlap-retry", port, env)) {
            JsonNode loaded = last.api().awaitFinished(load, Duration.ofMinutes(3));
            assertThat(loaded.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(loaded.get("retry_count").asInt()).isEqualTo(1);
            assertThat(loaded.get("result").get("load_path").asText()).isEqualTo("attached");
            assertThat(loaded.get("result").get("rows_from").asText()).isEqualTo("build");
            assertThat(loaded.get("result").get("inserted").asLong()).isEqualTo(BIG_ROWS);
            assertThat(count("SELECT count(*) FROM %s.warehouse_listings")).isEqualTo(BIG_ROWS);
            assertThat(completedEvents(validation)).isEqualTo(1);
            assertThat(completedEvents(load)).isEqualTo(1);
            assertThat(buildTables()).isZero();
            assertThat(count("SELECT count(*) FROM %s.warehouse_builds")).isZero();
        }
    }

    @Test
    void aReplaceKilledAtItsMergeLeavesTheOldListAndItsRetryReplacesOnce() throws Exception {
        int port = ServiceProcess.freePort();
        String replace;
        try (ServiceProcess victim = ServiceProcess.start("load-crash-replace", port, env);
             Connection blocker = connect()) {
            dropFile("listings.csv", ROWS, 0);
            JsonNode first = victim.api().awaitFinished(awaitLoad(), Duration.ofMinutes(3));
            assertThat(first.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(count("SELECT count(*) FROM %s.warehouse_listings")).isEqualTo(ROWS);

            blocker.setAutoCommit(false);
            execute(blocker, "SELECT pg_advisory_xact_lock(hashtext('warehouse_listings'), hashtext('default/"
                    + MARKETPLACE + "'))");
            // the category's whole list, without its last thousand skus and with every 50th price changed
            Path uploads = Files.createDirectories(work.resolve("data/tenants/default/uploads"));
            writeFile(uploads.resolve("replace.csv"), ROWS - 1_000, CHANGE_EVERY);
            victim.api().submit("{\"type\":\"csv_validation\",\"payload\":{\"marketplace\":\"" + MARKETPLACE
                    + "\",\"category\":\"toys\",\"file\":\"uploads/replace.csv\",\"load_to_warehouse\":true,"
                    + "\"load_mode\":\"replace\"}}");
            replace = awaitLoadWaitingIn("SELECT pg_advisory_xact_lock%");
            victim.kill();
            blocker.commit();
        }
        awaitNoSessionOf("pg_advisory_xact_lock(hashtext('warehouse_listings')");
        assertThat(count("SELECT count(*) FROM %s.warehouse_listings")).as("rows after the kill").isEqualTo(ROWS);
        assertThat(count("SELECT count(*) FROM %s.warehouse_listings WHERE source_job_id = '" + replace + "'"))
                .as("rows the killed replace changed").isZero();

        try (ServiceProcess last = ServiceProcess.start("load-crash-replace-retry", port, env)) {
            JsonNode replaced = last.api().awaitFinished(replace, Duration.ofMinutes(3));
            assertThat(replaced.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(replaced.get("retry_count").asInt()).isEqualTo(1);
            assertThat(replaced.get("result").get("load_path").asText()).isEqualTo("replaced");
            assertThat(replaced.get("result").get("deleted").asLong()).isEqualTo(1_000);
            assertThat(count("SELECT count(*) FROM %s.warehouse_listings")).isEqualTo(ROWS - 1_000);
            assertThat(completedEvents(replace)).isEqualTo(1);
        }
    }

    /** A file of ROWS listings whose every {@code changeEvery}-th price differs from the first file's (0: none). */
    private void dropFile(Api api, String name, int changeEvery) throws IOException {
        dropFile(name, ROWS, changeEvery);
    }

    private void dropFile(String name, int rows, int changeEvery) throws IOException {
        Path staged = work.resolve(name);
        writeFile(staged, rows, changeEvery);
        Path folder = Files.createDirectories(work.resolve("inbox").resolve(MARKETPLACE).resolve("toys"));
        Files.move(staged, folder.resolve(name));
    }

    /**
     * {@code rows} listings, skus {@code SKU-0} to {@code SKU-<rows-1>} in a scattered order, every
     * {@code changeEvery}-th price different from the first file's (0: none).
     */
    private static void writeFile(Path file, int rows, int changeEvery) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            out.write("sku,title,price,quantity\n");
            for (int i = 0; i < rows; i++) {
                boolean changed = changeEvery > 0 && i % changeEvery == 0;
                out.write("SKU-" + (i * 7919L % rows) + ",Listing " + i + "," + (i % 1000) + (changed ? ".49" : ".99")
                        + "," + (i % 10) + "\n");
            }
        }
    }

    /**
     * The RUNNING csv_validation, once PostgreSQL reports its build's COPY (pg_stat_progress_copy) has stored some of
     * the file's rows but not all: the validation is still streaming them.
     */
    private String awaitBuildStreaming() {
        await("a build's COPY under way").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(20))
                // by the session's statement, not pg_class: the build table is not committed, so its catalog row
                // is visible to no other session
                .until(() -> count("SELECT count(*) FROM pg_stat_progress_copy p JOIN pg_stat_activity a USING (pid)"
                        + " WHERE a.application_name = '%s' AND a.query LIKE 'COPY warehouse\\_build\\_%%'"
                        + " AND p.tuples_processed BETWEEN 1 AND "
                        + (BIG_ROWS - 1)), n -> n > 0);
        return runningJobOf("csv_validation");
    }

    private long buildTables() throws SQLException {
        return count("SELECT count(*) FROM pg_tables WHERE schemaname = '%s'"
                + " AND tablename LIKE 'warehouse\\_build\\_%%'");
    }

    /** The one warehouse_load job, once it exists. */
    private String awaitLoad() {
        return await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Connection c = connect(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT job_id FROM jobs WHERE type = 'warehouse_load'")) {
                return r.next() ? r.getString(1) : null;
            }
        }, id -> id != null);
    }

    private String runningJobOf(String type) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Connection c = connect(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT job_id FROM jobs WHERE type = '" + type + "'"
                         + " AND status = 'RUNNING'")) {
                return r.next() ? r.getString(1) : null;
            }
        }, id -> id != null);
    }

    /** The RUNNING warehouse_load, once its database session waits for a lock in a statement like the pattern. */
    private String awaitLoadWaitingIn(String queryPattern) {
        await("a load waiting in " + queryPattern).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND application_name = '%s' AND query LIKE '" + queryPattern.replace("%", "%%") + "'"),
                        n -> n > 0);
        return runningJobOf("warehouse_load");
    }

    /** The killed instance's session ends once it finds its client gone, rolling its transaction back. */
    private void awaitNoSessionOf(String fragment) {
        await("the killed load's session gone").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> count("SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s'"
                        + " AND query LIKE '%%"
                        + fragment.replace("'", "''").replace("%", "%%") + "%%' AND pid <> pg_backend_pid()"
                        + " AND state <> 'idle'"), n -> n == 0);
    }

    private long completedEvents(String jobId) throws SQLException {
        return count("SELECT count(*) FROM %s.job_events WHERE job_id = '" + jobId
                + "' AND event_type = 'job.completed'");
    }

    private Connection connect() throws SQLException {
        Connection connection = DriverManager.getConnection(TestDatabase.url(), TestDatabase.user(),
                TestDatabase.password());
        execute(connection, "SET search_path TO " + schema);
        return connection;
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(String.format(sql, schema))) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
