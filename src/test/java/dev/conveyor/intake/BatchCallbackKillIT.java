package dev.conveyor.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorInstance;
import dev.conveyor.support.GeneratedCsv;
import dev.conveyor.support.ServiceProcess;
import dev.conveyor.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A batch's callbacks fire once across two packaged services on one database when the one running the batch's last
 * job (its warehouse load) is killed with kill -9: the survivor takes the load over once its lease has run out,
 * finishes it, closes the batch, and submits the on_complete job and the on_success webhook's delivery once each;
 * the receiver (an HTTP server in this JVM) is called once.
 */
@Tag("slow") // two packaged services started as processes, one killed
class BatchCallbackKillIT {

    private static final long ROWS = 150_000;
    private static final Duration START_WAIT = Duration.ofMinutes(6);

    @Test
    void theCallbacksOfABatchWhoseLastJobsInstanceIsKilledFireOnceFromTheSurvivor() throws Exception {
        String schema = ConveyorInstance.newSchema();
        Path work = Files.createTempDirectory("conveyor-callback-kill");
        Path file = Files.createDirectories(work.resolve("files")).resolve("listings.csv");
        try (InputStream csv = new GeneratedCsv(ROWS, 0)) {
            Files.copy(csv, file);
        }
        List<String> calls = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            calls.add(exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders()
                    .getFirst("Conveyor-Batch-Id"));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        Map<String, String> env = new HashMap<>(Map.of("DB_URL", TestDatabase.url(), "DB_USER", TestDatabase.user(),
                "DB_PASSWORD", TestDatabase.password(), "DB_SCHEMA", schema, "INBOX_ENABLED", "false",
                "JOB_LEASE_SECONDS", "4", "JOB_REAPER_PERIOD_MS", "500",
                "BULK_IMPORT_ALLOWED_DIR", work.resolve("files").toString()));
        env.putAll(Map.of("BATCH_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1", "BATCH_WEBHOOK_ALLOWED_ADDRESSES",
                "127.0.0.1/32", "BATCH_WEBHOOK_SECRET", "kill-test-secret"));
        Map<String, String> envA = new HashMap<>(env);
        envA.put("INSTANCE_ID", "callback-kill-a");
        Map<String, String> envB = new HashMap<>(env);
        envB.put("INSTANCE_ID", "callback-kill-b");
        // both started at once, each given six minutes: two starts side by side on a busy 2-core machine took more
        // than the usual three
        ExecutorService starts = Executors.newFixedThreadPool(2);
        Future<ServiceProcess> startA = starts.submit(() -> ServiceProcess.start(START_WAIT, "callback-kill-a",
                ServiceProcess.freePort(), ServiceProcess.PREPARED, null, envA));
        Future<ServiceProcess> startB = starts.submit(() -> ServiceProcess.start(START_WAIT, "callback-kill-b",
                ServiceProcess.freePort(), ServiceProcess.PREPARED, null, envB));
        starts.shutdown();
        try (ServiceProcess a = startA.get(); ServiceProcess b = startB.get()) {
            HttpResponse<String> submitted = a.api().postJson("/jobs/batch", """
                    {"jobs": [{"type": "bulk_import", "payload": {"file_url": "%s", "format": "csv",
                               "marketplace": "kcb_mkt", "category": "toys"}}],
                     "on_complete": {"type": "csv_validation", "payload": {"marketplace": "kcb_after",
                                     "category": "toys", "csv": "sku,title,price,quantity\\nSKU-1,Ball,1.50,2\\n"}},
                     "on_success": {"webhook": {"url": "%s"}}}""".formatted(file.toAbsolutePath(), hook));
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
            String batchId = Api.json(submitted).get("batch_id").asText();

            // the batch's last job, its warehouse load, running on one of the two: that one is killed
            String runningOn = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
                    .until(() -> loadRunningOn(schema, batchId), instance -> instance != null);
            ServiceProcess victim = runningOn.equals("callback-kill-a") ? a : b;
            ServiceProcess survivor = victim == a ? b : a;
            victim.kill();

            JsonNode closed = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                    .until(() -> Api.json(survivor.api().get("/batches/" + batchId)),
                            batch -> !batch.get("status").asText().equals("RUNNING"));
            assertThat(closed.get("status").asText()).as(closed.toString()).isEqualTo("SUCCESS");
            assertThat(closed.get("rows_loaded").asLong() + closed.get("rows_unchanged").asLong()).isEqualTo(ROWS);
            // the load really was cut off by the kill and finished by the survivor's retry, not before the kill
            String loadId = loadOf(schema, batchId);
            JsonNode load = survivor.api().awaitFinished(loadId, Duration.ofMinutes(1));
            assertThat(load.get("retry_count").asInt()).as(load.toString()).isEqualTo(1);
            assertThat(count(schema, "SELECT count(*) FROM %s.jobs WHERE job_id = ? AND claimed_by = '"
                    + (victim == a ? "callback-kill-b" : "callback-kill-a") + "'", loadId))
                    .as("the load finished by the survivor").isEqualTo(1);
            String callbackJob = closed.get("callback_job_ids").get("on_complete").asText();
            String delivery = closed.get("callback_job_ids").get("on_success").asText();
            assertThat(survivor.api().awaitFinished(callbackJob, Duration.ofMinutes(1)).get("status").asText())
                    .isEqualTo("SUCCESS");
            assertThat(survivor.api().awaitFinished(delivery, Duration.ofMinutes(1)).get("status").asText())
                    .isEqualTo("SUCCESS");

            // a later batch's webhook delivered by the survivor: its completer and workers ran after the first one's
            String probe = Api.json(survivor.api().postJson("/jobs/batch", """
                    {"jobs": [{"type": "csv_validation", "payload": {"marketplace": "kcb_probe", "category": "toys",
                               "csv": "sku,title,price,quantity\\nSKU-1,Ball,1.50,2\\n"}}],
                     "on_complete": {"webhook": {"url": "%s"}}}""".formatted(hook))).get("batch_id").asText();
            await().atMost(Duration.ofMinutes(1)).until(() -> calls.contains("/hook " + probe));

            assertThat(calls.stream().filter(call -> call.endsWith(batchId)).count()).as("deliveries of " + batchId)
                    .isEqualTo(1);
            assertThat(count(schema, "SELECT count(*) FROM %s.jobs WHERE idempotency_key LIKE ?",
                    "batch:" + batchId + ":%")).as("callback jobs").isEqualTo(2);
            assertThat(count(schema, "SELECT count(*) FROM %s.job_events WHERE job_id = ? "
                    + "AND event_type = 'batch.completed'", batchId)).isEqualTo(1);
        } finally {
            // a start that failed has stopped its process; one that succeeded beside it is stopped here (waiting
            // for it to finish starting, else it would outlive the test)
            for (Future<ServiceProcess> start : List.of(startA, startB)) {
                try {
                    start.get().close();
                } catch (ExecutionException e) {
                    // that start failed: its process is gone already
                }
            }
            receiver.stop(0);
            ConveyorInstance.dropSchema(schema);
        }
    }

    /** The batch's warehouse load job. */
    private static String loadOf(String schema, String batchId) throws SQLException {
        try (Connection db = connect(); PreparedStatement query = db.prepareStatement("SELECT job_id FROM "
                + schema + ".jobs WHERE batch_id = ? AND type = 'warehouse_load'")) {
            query.setString(1, batchId);
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).as("a warehouse_load in batch " + batchId).isTrue();
                return rows.getString(1);
            }
        }
    }

    /** The instance id of whoever runs the batch's warehouse load, or null while none does. */
    private static String loadRunningOn(String schema, String batchId) throws SQLException {
        try (Connection db = connect(); PreparedStatement query = db.prepareStatement("SELECT claimed_by FROM "
                + schema + ".jobs WHERE batch_id = ? AND type = 'warehouse_load' AND status = 'RUNNING'")) {
            query.setString(1, batchId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private static long count(String schema, String sql, String parameter) throws SQLException {
        try (Connection db = connect(); PreparedStatement query = db.prepareStatement(String.format(sql, schema))) {
            query.setString(1, parameter);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(TestDatabase.url(), TestDatabase.user(), TestDatabase.password());
    }
}
