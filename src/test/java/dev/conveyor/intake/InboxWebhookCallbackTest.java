package dev.conveyor.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.conveyor.support.Api;
import dev.conveyor.support.RunningServiceTest;
import dev.conveyor.support.WebhookPost;
import dev.conveyor.support.ConveyorIntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A folder's webhook callback (docs/batches.md, "Callbacks of an inbox folder"): a file dropped in the folder becomes
 * a batch whose {@code on_success} is a signed POST of the batch document to the folder's URL, made once, when the
 * batch closes SUCCESS; a file of the folder with invalid rows closes PARTIAL_SUCCESS and calls nothing. The receiver
 * is a real HTTP server on 127.0.0.1, which TestEnvironment's conveyor.batches.webhooks settings allow.
 */
@Tag("slow") // a Spring context of its own: the folder's callback names this class's receiver, on a port of its own
@ConveyorIntegrationTest
class InboxWebhookCallbackTest extends RunningServiceTest {

    /** TestEnvironment's conveyor.batches.webhooks.secret. */
    private static final String SECRET = "test-webhook-secret";
    private static final String FOLDER = "inbox_wh_mkt";
    private static final String HEADER = "sku,title,price,quantity\n";

    static final List<WebhookPost> CALLS = new CopyOnWriteArrayList<>();
    static final HttpServer RECEIVER = startReceiver();

    @DynamicPropertySource
    static void folderCallback(DynamicPropertyRegistry registry) {
        registry.add("conveyor.batches.inbox-callbacks[0].folder", () -> FOLDER);
        registry.add("conveyor.batches.inbox-callbacks[0].on-success", () -> "{\"webhook\":{\"url\":\"http://127.0.0.1:"
                + RECEIVER.getAddress().getPort() + "/files\"}}");
    }

    @AfterAll
    static void stopReceiver() {
        RECEIVER.stop(0);
    }

    @Test
    void aCleanFileCallsTheFoldersWebhookOnceSignedWithItsBatchAndAFileWithBadRowsCallsNothing() throws Exception {
        Path dir = Files.createDirectories(properties.inbox().dir().resolve(FOLDER).resolve("toys"));
        drop(dir, "clean.csv", HEADER + "WH-1,One,1.00,1\nWH-2,Two,2.00,2\n");
        JsonNode clean = awaitClosed(batchOf("clean.csv"));

        assertThat(clean.get("status").asText()).isEqualTo("SUCCESS");
        String delivery = clean.get("callback_job_ids").get("on_success").asText();
        JsonNode deliveryJob = awaitFinished(delivery);
        assertThat(deliveryJob.get("type").asText()).isEqualTo("batch_webhook");
        assertThat(deliveryJob.get("status").asText()).isEqualTo("SUCCESS");
        String batchId = clean.get("batch_id").asText();
        List<WebhookPost> calls = CALLS.stream().filter(call -> batchId.equals(call.header("Conveyor-Batch-Id"))).toList();
        assertThat(calls).hasSize(1);
        WebhookPost call = calls.get(0);
        assertThat(call.header("Conveyor-Callback")).isEqualTo("on_success");
        assertThat(call.signed(SECRET)).isTrue();
        JsonNode document = Api.json(new String(call.body(), StandardCharsets.UTF_8));
        assertThat(document.get("batch_id").asText()).isEqualTo(batchId);
        assertThat(document.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(document.get("source").asText()).isEqualTo("inbox");
        assertThat(document.get("rows_loaded").asLong()).isEqualTo(2);

        // a file with a bad row: PARTIAL_SUCCESS, so its on_success is not submitted (its batch says so when it
        // closes, in the same transaction that would have written the delivery job)
        drop(dir, "partly.csv", HEADER + "WH-3,Three,3.00,3\nWH-4,,4.00,4\n");
        JsonNode partly = awaitClosed(batchOf("partly.csv"));
        assertThat(partly.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(partly.get("callback_job_ids").isNull() || !partly.get("callback_job_ids").has("on_success"))
                .as(partly.toString()).isTrue();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE idempotency_key LIKE ?", Long.class,
                "batch:" + partly.get("batch_id").asText() + ":%")).isZero();
        assertThat(CALLS).noneMatch(c -> partly.get("batch_id").asText().equals(c.header("Conveyor-Batch-Id")));
    }

    private String batchOf(String fileName) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                jdbc.queryForList("SELECT batch_id FROM batches WHERE source = 'inbox' AND source_ref = ?", String.class,
                        FOLDER + "/toys/" + fileName), ids -> ids.size() == 1).get(0);
    }

    private JsonNode awaitClosed(String batchId) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> Api.json(api.get("/batches/" + batchId)), b -> !b.get("status").asText().equals("RUNNING"));
    }

    private JsonNode awaitFinished(String jobId) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> api.job(jobId), job -> List.of("SUCCESS", "FAILED", "DEAD_LETTERED")
                        .contains(job.get("status").asText()));
    }

    private static void drop(Path dir, String name, String content) throws IOException {
        Path staged = Files.createTempFile("staged", ".csv");
        Files.writeString(staged, content);
        Files.move(staged, dir.resolve(name));
    }

    private static HttpServer startReceiver() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/files", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                CALLS.add(new WebhookPost(Map.copyOf(exchange.getRequestHeaders()), body));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
