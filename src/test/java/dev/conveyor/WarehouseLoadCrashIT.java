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
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of the packaged service at the worst moment of each load path, on the memory backend (WorkerCrashIT covers
 * the backends, killing a load while its rows stream): a first load killed with its table built and its ATTACH
 * waiting, and a re-load killed with every row staged and its merge waiting. The test itself holds the lock each one
 * waits for, so the kill lands exactly there. Each time the warehouse is left as it was before the load, no built
 * table is left behind, and a restarted instance's retry finishes the load once, by the same path.
 */
@Tag("slow") // starts and kills service processes
class WarehouseLoadCrashIT {

    private static final int ROWS = 60_000;
    private static final int CHANGE_EVERY = 50;
    private static final String MARKETPLACE = "crash_attach";

    private String schema;
    private Path work;
    private Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        schema = ConveyorInstance.newSchema();
        work = Files.createTempDirectory("conveyor-load-crash");
        env = new HashMap<>(Map.of(
                "DB_URL", TestDatabase.url(), "DB_USER", TestDatabase.user(), "DB_PASSWORD", TestDatabase.password(),
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

    /** A file of ROWS listings whose every {@code changeEvery}-th price differs from the first file's (0: none). */
    private void dropFile(Api api, String name, int changeEvery) throws IOException {
        Path staged = work.resolve(name);
        try (Writer out = Files.newBufferedWriter(staged, StandardCharsets.US_ASCII)) {
            out.write("sku,title,price,quantity\n");
            for (int i = 0; i < ROWS; i++) {
                boolean changed = changeEvery > 0 && i % changeEvery == 0;
                out.write("SKU-" + (i * 7919L % ROWS) + ",Listing " + i + "," + (i % 1000) + (changed ? ".49" : ".99")
                        + "," + (i % 10) + "\n");
            }
        }
        Path folder = Files.createDirectories(work.resolve("inbox").resolve(MARKETPLACE).resolve("toys"));
        Files.move(staged, folder.resolve(name));
    }

    /** The RUNNING warehouse_load, once its database session waits for a lock in a statement like the pattern. */
    private String awaitLoadWaitingIn(String queryPattern) {
        await("a load waiting in " + queryPattern).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE '" + queryPattern.replace("%", "%%") + "'"), n -> n > 0);
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Connection c = connect(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT job_id FROM jobs WHERE type = 'warehouse_load'"
                         + " AND status = 'RUNNING'")) {
                return r.next() ? r.getString(1) : null;
            }
        }, id -> id != null);
    }

    /** The killed instance's session ends once it finds its client gone, rolling its transaction back. */
    private void awaitNoSessionOf(String fragment) {
        await("the killed load's session gone").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> count("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%%"
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
