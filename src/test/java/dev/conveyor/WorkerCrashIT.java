package dev.conveyor;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorInstance;
import dev.conveyor.support.GeneratedCsv;
import dev.conveyor.support.QueueBroker;
import dev.conveyor.support.ServiceProcess;
import dev.conveyor.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged service in processes of its own on one PostgreSQL, on each queue backend (for Kafka and SQS the
 * broker runs in this JVM, so it outlives the service): a worker killed with kill -9 in the middle of a
 * warehouse load, and one stopped with SIGTERM. Either way the load is finished once, by a surviving or restarted
 * instance, no warehouse row is duplicated, and the broker is left with no message of the load unacknowledged.
 */
@Tag("slow") // starts and kills service processes
class WorkerCrashIT {

    private static final long ROWS = 150_000;
    private static final long BAD_EVERY = 50;
    /** The lane warehouse loads travel on (conveyor.lanes.rules in application.yaml). */
    private static final String LANE = "bulk";
    private static final String CRASH_MARKETPLACE = "crash_mkt";
    private static final String DRAIN_MARKETPLACE = "drain_mkt";

    private String schema;
    private Path work;
    private Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        schema = ConveyorInstance.newSchema();
        work = Files.createTempDirectory("conveyor-crash");
        env = new HashMap<>(Map.of(
                "DB_URL", TestDatabase.url(), "DB_USER", TestDatabase.user(), "DB_PASSWORD", TestDatabase.password(),
                "DB_SCHEMA", schema, "DATA_DIR", work.resolve("data").toString(),
                "INBOX_DIR", work.resolve("inbox").toString(),
                "JOB_LEASE_SECONDS", "4", "JOB_REAPER_PERIOD_MS", "500",
                // SQS: above the lease, as it must be, and short, so the killed worker's message comes back to
                // the restarted instance while the test watches
                "SQS_VISIBILITY_TIMEOUT_SECONDS", "8"));
        // one consumer on each lane the loads do not travel on (the default is 4 to 16 a lane, each a Kafka
        // consumer of its own or a thread long-polling SQS): they cost every start and stop and carry nothing here;
        // the bulk lane keeps its default
        env.putAll(Map.of("LANE_HIGH_CONSUMERS", "1", "LANE_NORMAL_CONSUMERS", "1", "LANE_LOW_CONSUMERS", "1"));
    }

    @AfterEach
    void tearDown() {
        ConveyorInstance.dropSchema(schema);
    }

    @AfterAll
    static void stopBrokers() {
        QueueBroker.stopAll();
    }

    /**
     * Both scenarios on one backend, the second on the instance the first restarted: a start of the packaged
     * service is most of each scenario's time, and the SIGTERM scenario needs only a running instance, not a fresh
     * one. Each load has a marketplace of its own, so each scenario's rows are counted apart.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(QueueBroker.class)
    void aWorkerKilledMidLoadLeavesTheLoadToAnotherInstanceWhichFinishesItOnceAndDrainsItsNextLoadOnSigterm(
            QueueBroker broker) throws Exception {
        env.putAll(broker.environment(schema));
        int port = ServiceProcess.freePort();
        String loadId;
        try (ServiceProcess victim = ServiceProcess.start(broker + "-crash-victim", port, env)) {
            loadId = dropFileAndAwaitRunningLoad(victim.api(), CRASH_MARKETPLACE);
            victim.kill();
        }
        assertThat(status(loadId)).as("the killed worker left the load behind").isEqualTo("RUNNING");
        if (broker != QueueBroker.MEMORY) {
            // Kafka: the load's record was polled but its offset not committed (a poll's offsets are committed
            // after its records are done); SQS: its message was received, invisible, not deleted. Either way the
            // broker will hand it to the restarted instance, on top of the message the reaper's retry publishes.
            // (The validation before it ran on this lane too — the file is above BULK_MIN_PAYLOAD_BYTES — and
            // its SQS deletion may still have been lingering in the killed process: that message comes back too.)
            assertThat(broker.messagesLeft(schema, LANE)).as("the load's message, taken but not acknowledged")
                    .isGreaterThanOrEqualTo(1);
        }

        try (ServiceProcess survivor = ServiceProcess.start(broker + "-crash-survivor", port, env)) {
            JsonNode load = survivor.api().awaitFinished(loadId, Duration.ofMinutes(3));

            assertThat(load.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(load.get("retry_count").asInt()).isEqualTo(1);
            assertThat(load.get("errors").get(0).get("exception").asText()).isEqualTo("LeaseExpired");
            // the killed worker's message and the retry's were both delivered, and both acknowledged: one ran
            // the load, the claim dropped the other
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> broker.messagesLeft(schema, LANE), left -> left == 0);
            assertThat(count("SELECT count(*) FROM %s.job_events WHERE job_id = '" + loadId
                    + "' AND event_type = 'job.completed'")).isEqualTo(1);
            assertThat(listings(CRASH_MARKETPLACE)).isEqualTo(ROWS - GeneratedCsv.badRows(ROWS, BAD_EVERY));

            sigtermLetsTheRunningLoadFinishBeforeTheProcessExits(broker, survivor);
        }
    }

    /** SIGTERM to a service in the middle of a load: the load finishes, once, before the process exits. */
    private void sigtermLetsTheRunningLoadFinishBeforeTheProcessExits(QueueBroker broker, ServiceProcess service)
            throws Exception {
        String loadId = dropFileAndAwaitRunningLoad(service.api(), DRAIN_MARKETPLACE);

        assertThat(service.stop()).as("exits by itself after SIGTERM").isTrue();

        assertThat(status(loadId)).isEqualTo("SUCCESS");
        assertThat(count("SELECT count(*) FROM %s.job_events WHERE job_id = '" + loadId
                + "' AND event_type = 'job.completed'")).isEqualTo(1);
        assertThat(listings(DRAIN_MARKETPLACE)).isEqualTo(ROWS - GeneratedCsv.badRows(ROWS, BAD_EVERY));
        // the clean stop acknowledged the load's message before the client closed: nothing to redeliver
        assertThat(broker.messagesLeft(schema, LANE)).as("the load's message, unacknowledged").isZero();
    }

    /**
     * Drops a file for {@code marketplace} whose chain ends in a warehouse load, and returns the load once it is
     * RUNNING (the only one: any earlier load has ended).
     */
    private String dropFileAndAwaitRunningLoad(Api api, String marketplace) throws Exception {
        Path staged = work.resolve("listings.csv");
        try (InputStream csv = new GeneratedCsv(ROWS, BAD_EVERY)) {
            Files.copy(csv, staged);
        }
        Path folder = Files.createDirectories(work.resolve("inbox").resolve(marketplace).resolve("toys"));
        Files.move(staged, folder.resolve("listings.csv"));
        return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (JsonNode job : Api.json(api.get("/jobs?type=warehouse_load")).get("jobs")) {
                if (job.get("status").asText().equals("RUNNING")) {
                    return job.get("job_id").asText();
                }
            }
            return null;
        }, id -> id != null);
    }

    private String status(String jobId) throws Exception {
        try (Connection connection = DriverManager.getConnection(TestDatabase.url(), TestDatabase.user(),
                TestDatabase.password()); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT status FROM " + schema + ".jobs WHERE job_id = '"
                     + jobId + "'")) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    private long listings(String marketplace) throws Exception {
        return count("SELECT count(*) FROM %s.warehouse_listings WHERE marketplace = '" + marketplace + "'");
    }

    private long count(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(TestDatabase.url(), TestDatabase.user(),
                TestDatabase.password()); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(String.format(sql, schema))) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
