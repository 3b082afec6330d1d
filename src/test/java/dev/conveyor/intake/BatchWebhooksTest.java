package dev.conveyor.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.conveyor.support.Api;
import dev.conveyor.support.RunningServiceTest;
import dev.conveyor.support.WebhookPost;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RouteSignals;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A batch's webhook callbacks (docs/batches.md, "Webhooks"): checked against the outbound rules when the batch comes
 * in, delivered by one batch_webhook job per callback, signed, retried after a 5xx until a 2xx and never after it,
 * failed for good by a 4xx. The receivers are real HTTP servers on 127.0.0.1, which TestEnvironment's
 * conveyor.batches.webhooks settings allow (host and address).
 */
@ConveyorIntegrationTest
class BatchWebhooksTest extends RunningServiceTest {

    /** TestEnvironment's conveyor.batches.webhooks.secret. */
    private static final String SECRET = "test-webhook-secret";

    @Autowired
    CamelContext camel;

    HttpServer receiver;
    final List<WebhookPost> calls = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopReceiver() {
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void aWebhookThatAnswers500TwiceIsCalledUntilItAnswers200AndNeverAfterWithASignedBatchDocument() throws Exception {
        String url = receive(call -> call <= 2 ? 500 : 200);
        String batchId = submitBatch("{\"webhook\": {\"url\": \"" + url + "\"}}", "wh-retry");

        JsonNode closed = awaitClosed(batchId);
        String deliveryId = closed.get("callback_job_ids").get("on_complete").asText();
        JsonNode delivery = api.awaitFinished(deliveryId);

        assertThat(delivery.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(delivery.get("type").asText()).isEqualTo("batch_webhook");
        assertThat(delivery.get("attempts").asInt()).isEqualTo(3);
        assertThat(calls).hasSize(3);
        // never again: two more looks of every completer and a dispatcher pass after the success find nothing to do
        NotifyBuilder completions = new NotifyBuilder(camel).fromRoute("batch-completion").whenDone(2).create();
        NotifyBuilder dispatched = RouteSignals.dispatcherPassAfterNow(camel);
        assertThat(completions.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(dispatched.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(calls).hasSize(3);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE idempotency_key = ?", Long.class,
                "batch:" + batchId + ":on_complete")).isEqualTo(1);

        for (WebhookPost call : calls) {
            assertThat(call.header("Conveyor-Batch-Id")).isEqualTo(batchId);
            assertThat(call.header("Conveyor-Delivery-Id")).as("the same on every attempt").isEqualTo(deliveryId);
            assertThat(call.header("Conveyor-Callback")).isEqualTo("on_complete");
            assertThat(call.header("Content-Type")).startsWith("application/json");
            assertThat(call.signed(SECRET)).as("signature").isTrue();
        }
        WebhookPost last = calls.get(2);
        assertThat(last.signed(SECRET, "tampered".getBytes(StandardCharsets.UTF_8)))
                .isFalse();
        JsonNode document = Api.json(new String(last.body(), StandardCharsets.UTF_8));
        assertThat(document.get("batch_id").asText()).isEqualTo(batchId);
        assertThat(document.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(document.get("jobs_total").asInt()).isEqualTo(1);
        assertThat(document.get("jobs_by_status").get("SUCCESS").asInt()).isEqualTo(1);
        assertThat(document.get("callback_job_ids").get("on_complete").asText()).isEqualTo(deliveryId);
        assertThat(document.get("completed_at").isNull()).isFalse();
    }

    @Test
    void aWebhookThatAnswers400FailsItsDeliveryForGoodAfterOneCall() throws Exception {
        String url = receive(call -> 400);
        String batchId = submitBatch("{\"webhook\": {\"url\": \"" + url + "\"}}", "wh-refused");

        JsonNode closed = awaitClosed(batchId);
        String deliveryId = closed.get("callback_job_ids").get("on_complete").asText();
        JsonNode delivery = api.awaitFinished(deliveryId);

        assertThat(delivery.get("status").asText()).isEqualTo("FAILED");
        assertThat(delivery.get("attempts").asInt()).isEqualTo(1);
        assertThat(delivery.get("error_message").asText()).contains("answered HTTP 400 Bad Request");
        assertThat(calls).hasSize(1);
        assertThat(api.get("/batches/" + batchId).body()).contains(deliveryId);
    }

    @Test
    void onSuccessWebhookOfAFailedBatchIsNotDelivered() throws Exception {
        String url = receive(call -> 200);
        String body = "{\"jobs\": [{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"permanent\"},"
                + "\"correlation_id\":\"wh-failed\"}], \"on_success\": {\"webhook\": {\"url\": \"" + url + "\"}}}";
        HttpResponse<String> response = api.postJson("/jobs/batch", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);

        JsonNode closed = awaitClosed(Api.json(response).get("batch_id").asText());

        assertThat(closed.get("status").asText()).isEqualTo("FAILED");
        assertThat(closed.get("callback_job_ids").isNull()).isTrue();
        assertThat(calls).isEmpty();
    }

    @Test
    void aWebhookTheOutboundRulesRefuseOrThatIsMalformedRefusesTheBatchAndNothingIsWritten() {
        Map<String, String> refusals = Map.of(
                "{\"webhook\": {\"url\": \"https://hooks.example/x\"}}",
                "'on_complete'.webhook.url host 'hooks.example' is not in conveyor.batches.webhooks.allowed-hosts",
                "{\"webhook\": {\"url\": \"http://10.20.30.40/x\"}}",
                "resolves to 10.20.30.40, an internal address",
                "{\"webhook\": {\"url\": \"ftp://127.0.0.1/x\"}}",
                "'on_complete'.webhook.url must be an http or https URL",
                "{\"webhook\": {\"url\": \"http://127.0.0.1:1/x\"}, \"type\": \"noop\"}",
                "'on_complete' is either a job or a webhook: unknown field 'type' beside 'webhook'",
                "{\"webhook\": {\"url\": \"http://127.0.0.1:1/x\", \"secret\": \"s\"}}",
                "unknown field 'secret' of 'on_complete'.webhook (allowed: url)",
                "{\"webhook\": {}}",
                "'on_complete'.webhook.url is required",
                "{\"type\": \"test_flaky\", \"payload\": {\"mode\": \"permanent\"}, \"colour\": \"red\"}",
                "unknown field 'colour'");
        refusals.forEach((callback, detail) -> {
            String correlation = "wh-bad-" + UUID.randomUUID();
            HttpResponse<String> response = api.postJson("/jobs/batch", "{\"jobs\": [{\"type\":\"test_flaky\","
                    + "\"payload\":{\"mode\":\"permanent\",\"fail_times\":0},\"correlation_id\":\"" + correlation
                    + "\"}], \"on_complete\": " + callback + "}");

            assertThat(response.statusCode()).as(callback + " -> " + response.body()).isEqualTo(422);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                    assertThat(type).startsWith("application/problem+json"));
            assertThat(Api.json(response).get("detail").asText()).as(callback).contains(detail);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE correlation_id = ?", Long.class,
                    correlation)).as(callback).isZero();
        });
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batches WHERE callbacks::text LIKE '%hooks.example%' "
                + "OR callbacks::text LIKE '%10.20.30.40%' OR callbacks::text LIKE '%ftp:%'", Long.class)).isZero();
    }

    @Test
    void nobodySubmitsABatchWebhookJobThemselves() {
        String payload = "{\"batch_id\":\"bat_" + "0".repeat(32) + "\",\"callback\":\"on_complete\","
                + "\"url\":\"http://127.0.0.1:1/x\"}";
        HttpResponse<String> response = api.postJson("/jobs", "{\"type\":\"batch_webhook\",\"payload\":" + payload
                + ",\"correlation_id\":\"wh-direct\"}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(Api.json(response).get("detail").asText()).contains("job type 'batch_webhook' is internal");
        HttpResponse<String> unknown = api.postJson("/jobs", "{\"type\":\"no_such\",\"payload\":{}}");
        assertThat(Api.json(unknown).get("detail").asText()).doesNotContain("batch_webhook");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE correlation_id = 'wh-direct'", Long.class))
                .isZero();
    }

    /** Starts a receiver answering its n-th call (from 1) with {@code status.applyAsInt(n)}; its URL. */
    private String receive(IntUnaryOperator status) throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            calls.add(new WebhookPost(Map.copyOf(exchange.getRequestHeaders()), body));
            exchange.sendResponseHeaders(status.applyAsInt(calls.size()), -1);
            exchange.close();
        });
        receiver.start();
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private String submitBatch(String onComplete, String correlation) {
        HttpResponse<String> response = api.postJson("/jobs/batch", "{\"jobs\": [{\"type\":\"test_flaky\","
                + "\"payload\":{\"mode\":\"permanent\",\"fail_times\":0},\"correlation_id\":\"" + correlation
                + "\"}], \"on_complete\": " + onComplete + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return Api.json(response).get("batch_id").asText();
    }

    private JsonNode awaitClosed(String batchId) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> Api.json(api.get("/batches/" + batchId)), b -> !b.get("status").asText().equals("RUNNING"));
    }
}
