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
import dev.conveyor.support.ServiceProcess;
import dev.conveyor.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged service in processes of its own on one PostgreSQL: a worker killed with kill -9 in the middle
 * of a warehouse load, and one stopped with SIGTERM. Either way the load is finished once, by a surviving or
 * restarted instance, and no warehouse row is duplicated.
 */
@Tag("slow") // starts and kills service processes
class WorkerCrashIT {

    private static final long ROWS = 300_000;
    private static final long BAD_EVERY = 50;

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
                "JOB_LEASE_SECONDS", "4", "JOB_REAPER_PERIOD_MS", "500"));
    }

    @AfterEach
    void tearDown() {
        ConveyorInstance.dropSchema(schema);
    }

    @Test
    void aWorkerKilledMidLoadLeavesTheLoadToAnotherInstanceWhichFinishesItOnce() throws Exception {
        int port = ServiceProcess.freePort();
        String loadId;
        try (ServiceProcess victim = ServiceProcess.start("crash-victim", port, env)) {
            loadId = dropFileAndAwaitRunningLoad(victim.api());
            victim.kill();
        }
        assertThat(status(loadId)).as("the killed worker left the load behind").isEqualTo("RUNNING");

        try (ServiceProcess survivor = ServiceProcess.start("crash-survivor", port, env)) {
            JsonNode load = survivor.api().awaitFinished(loadId, Duration.ofMinutes(3));

            assertThat(load.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(load.get("retry_count").asInt()).isEqualTo(1);
            assertThat(load.get("errors").get(0).get("exception").asText()).isEqualTo("LeaseExpired");
        }
        assertThat(count("SELECT count(*) FROM %s.job_events WHERE job_id = '" + loadId
                + "' AND event_type = 'job.completed'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM %s.warehouse_listings WHERE marketplace = 'crash_mkt'"))
                .isEqualTo(ROWS - GeneratedCsv.badRows(ROWS, BAD_EVERY));
    }

    @Test
    void sigtermLetsTheRunningLoadFinishBeforeTheProcessExits() throws Exception {
        try (ServiceProcess service = ServiceProcess.start("sigterm-drain", ServiceProcess.freePort(), env)) {
            String loadId = dropFileAndAwaitRunningLoad(service.api());

            assertThat(service.stop()).as("exits by itself after SIGTERM").isTrue();

            assertThat(status(loadId)).isEqualTo("SUCCESS");
            assertThat(count("SELECT count(*) FROM %s.warehouse_listings WHERE marketplace = 'crash_mkt'"))
                    .isEqualTo(ROWS - GeneratedCsv.badRows(ROWS, BAD_EVERY));
        }
    }

    /** Drops a file whose chain ends in a warehouse load, and returns the load once it is RUNNING. */
    private String dropFileAndAwaitRunningLoad(Api api) throws Exception {
        Path staged = work.resolve("listings.csv");
        try (InputStream csv = new GeneratedCsv(ROWS, BAD_EVERY)) {
            Files.copy(csv, staged);
        }
        Path folder = Files.createDirectories(work.resolve("inbox").resolve("crash_mkt").resolve("toys"));
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

    private long count(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(TestDatabase.url(), TestDatabase.user(),
                TestDatabase.password()); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(String.format(sql, schema))) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
