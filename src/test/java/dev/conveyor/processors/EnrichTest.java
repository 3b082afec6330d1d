package dev.conveyor.processors;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The enrich job type against a stub enrichment service on localhost: transient answers are retried,
 * permanent ones fail the job, a service that stays down dead-letters it until it is fixed, the circuit
 * opens and closes, and the rate limit holds (measured at the stub).
 */
@Tag("slow") // a Spring context of its own (a stub enrichment service, a quick breaker)
@ConveyorIntegrationTest
class EnrichTest extends RunningServiceTest {

    /** The stub's behaviour: answer 200, or fail with this status for the next N calls. */
    static final AtomicInteger FAILURES_LEFT = new AtomicInteger();
    static volatile int failureStatus = 503;
    static final List<Long> CALLS = Collections.synchronizedList(new ArrayList<>());
    static final HttpServer STUB = startStub();

    @DynamicPropertySource
    static void enrichmentService(DynamicPropertyRegistry registry) {
        registry.add("conveyor.enrich.url", () -> "http://127.0.0.1:" + STUB.getAddress().getPort() + "/enrich");
        registry.add("conveyor.retry.backoff-initial", () -> "100ms");
        registry.add("conveyor.retry.backoff-max", () -> "300ms");
        registry.add("conveyor.enrich.breaker.minimum-calls", () -> "4");
        registry.add("conveyor.enrich.breaker.sliding-window-size", () -> "4");
        registry.add("conveyor.enrich.breaker.wait-seconds-open", () -> "2");
        registry.add("conveyor.enrich.breaker.half-open-calls", () -> "1");
    }

    @Autowired
    EnrichClient client;

    @BeforeEach
    void setUp() {
        FAILURES_LEFT.set(0);
        failureStatus = 503;
        CALLS.clear();
        client.resetCircuit();
    }

    @AfterAll
    static void stopStub() {
        STUB.stop(0);
    }

    @Test
    void aServiceThatFailsTwiceThenAnswersEndsInSuccessWithTwoRetries() {
        FAILURES_LEFT.set(2);

        JsonNode job = api.awaitFinished(api.submit(enrich("retry_mkt", "SKU-1")));

        assertThat(job.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(job.get("retry_count").asInt()).isEqualTo(2);
        assertThat(job.get("result").at("/without_warehouse_row/SKU-1/sku").asText()).isEqualTo("SKU-1");
        assertThat(events(job)).filteredOn("job.retrying"::equals).hasSize(2);
    }

    @Test
    void otherClientErrorsArePermanent() {
        failureStatus = 404;
        FAILURES_LEFT.set(1);

        JsonNode job = api.awaitFinished(api.submit(enrich("gone_mkt", "SKU-404")));

        assertThat(job.get("status").asText()).isEqualTo("FAILED");
        assertThat(job.get("retry_count").asInt()).isZero();
        assertThat(job.get("error_message").asText()).contains("HTTP 404");
    }

    @Test
    void aServiceThatStaysDownDeadLettersTheJobAndAReplaySucceedsOnceItIsFixed() {
        failureStatus = 500;
        FAILURES_LEFT.set(1000);
        String jobId = api.submit(enrich("down_mkt", "SKU-9"));

        assertThat(api.awaitFinished(jobId, Duration.ofSeconds(60)).get("status").asText()).isEqualTo("DEAD_LETTERED");
        JsonNode deadLetter = null;
        for (JsonNode entry : Api.json(api.get("/dead-letters?type=enrich")).get("dead_letters")) {
            if (entry.get("job_id").asText().equals(jobId)) {
                deadLetter = entry;
            }
        }
        assertThat(deadLetter).isNotNull();

        FAILURES_LEFT.set(0);
        // the circuit may still be open after the failures: the replay waits it out and retries
        assertThat(api.post("/dead-letters/" + deadLetter.get("id").asLong() + "/replay", null,
                java.net.http.HttpRequest.BodyPublishers.noBody()).statusCode()).isEqualTo(202);
        assertThat(api.awaitFinished(jobId, Duration.ofSeconds(60)).get("status").asText()).isEqualTo("SUCCESS");
    }

    @Test
    void theCircuitOpensUnderAFailingServiceAndClosesAfter() {
        failureStatus = 503;
        FAILURES_LEFT.set(1000);
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            jobs.add(api.submit(enrich("breaker_mkt_" + i, "SKU-" + i)));
        }
        List<JsonNode> finished = jobs.stream().map(id -> api.awaitFinished(id, Duration.ofSeconds(60))).toList();
        long attempts = finished.stream().mapToLong(job -> job.get("attempts").asLong()).sum();

        // 6 jobs × 3 attempts = 18 calls without a breaker; an open breaker refused some without calling
        assertThat(CALLS.size()).as("calls that reached the service").isLessThan((int) attempts);
        assertThat(finished).allSatisfy(job -> assertThat(job.get("status").asText()).isEqualTo("DEAD_LETTERED"));
        assertThat(finished.stream().flatMap(job -> {
            List<String> exceptions = new ArrayList<>();
            job.get("errors").forEach(e -> exceptions.add(e.get("message").asText()));
            return exceptions.stream();
        })).anyMatch(message -> message.contains("CircuitBreaker") || message.contains("OPEN"));

        assertThat(client.circuitState()).isEqualTo("OPEN");
        FAILURES_LEFT.set(0);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode job = api.awaitFinished(api.submit(enrich("closed_mkt", "SKU-ok")), Duration.ofSeconds(20));
            assertThat(job.get("status").asText()).isEqualTo("SUCCESS");
        });
        assertThat(client.circuitState()).isEqualTo("CLOSED");
    }

    @Test
    void theRateLimitHoldsAtTheService() {
        StringBuilder skus = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            skus.append(i == 0 ? "" : "\",\"").append("RATE-").append(i);
        }
        String body = "{\"type\":\"enrich\",\"payload\":{\"marketplace\":\"rate_mkt\",\"category\":\"toys\","
                + "\"skus\":[\"" + skus + "\"]}}";

        JsonNode job = api.awaitFinished(api.submit(body), Duration.ofSeconds(60));

        assertThat(job.get("status").asText()).isEqualTo("SUCCESS");
        List<Long> calls = new ArrayList<>(CALLS);
        Collections.sort(calls);
        assertThat(calls).hasSize(30);
        for (int i = 0; i + 10 < calls.size(); i++) {
            // 10 per second: the throttle lets the 11th call after any call out a second later; the times are taken
            // where the calls arrive, so a call held up on the way (a busy machine) can narrow a window by that much.
            // Unthrottled, the 30 calls would arrive within a few milliseconds of each other.
            assertThat(calls.get(i + 10) - calls.get(i)).as("window from call " + i).isGreaterThanOrEqualTo(700);
        }
        System.out.printf("enrich rate: 30 calls in %d ms%n", calls.get(29) - calls.get(0));
    }

    @Test
    void withoutSkusEveryWarehouseRowOfTheListingIsEnrichedInPlace() {
        // the job is the default tenant's; another tenant's rows of the same listing are neither listed nor changed
        jdbc.update("INSERT INTO warehouse_listings (tenant_id, marketplace, sku, category, title, price, quantity, "
                + "source_job_id) VALUES ('default', 'rows_mkt', 'R-1', 'toys', 'One', 1, 1, 'job_x'), "
                + "('default', 'rows_mkt', 'R-2', 'toys', 'Two', 2, 2, 'job_x'), "
                + "('default', 'rows_mkt', 'R-3', 'other', 'Three', 3, 3, 'job_x'), "
                + "('other_tenant', 'rows_mkt', 'R-1', 'toys', 'Theirs', 1, 1, 'job_y'), "
                + "('other_tenant', 'rows_mkt', 'R-9', 'toys', 'Theirs too', 9, 9, 'job_y')");

        JsonNode job = api.awaitFinished(api.submit("{\"type\":\"enrich\",\"payload\":{\"marketplace\":\"rows_mkt\","
                + "\"category\":\"toys\"}}"));

        assertThat(job.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(job.get("result").get("skus").asInt()).isEqualTo(2);
        assertThat(job.get("result").get("stored_with_warehouse_row").asInt()).isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT enrichment->>'sku' FROM warehouse_listings WHERE marketplace = 'rows_mkt' "
                + "AND tenant_id = 'default' ORDER BY sku", String.class)).containsExactly("R-1", "R-2", null);
        assertThat(jdbc.queryForList("SELECT enrichment FROM warehouse_listings WHERE marketplace = 'rows_mkt' "
                + "AND tenant_id = 'other_tenant' ORDER BY sku", String.class)).containsExactly(null, null);
    }

    private List<String> events(JsonNode job) {
        List<String> types = new ArrayList<>();
        Api.json(api.get("/jobs/" + job.get("job_id").asText() + "/events")).get("events")
                .forEach(e -> types.add(e.get("event_type").asText()));
        return types;
    }

    private static String enrich(String marketplace, String sku) {
        return "{\"type\":\"enrich\",\"payload\":{\"marketplace\":\"" + marketplace + "\",\"category\":\"toys\","
                + "\"skus\":[\"" + sku + "\"]}}";
    }

    private static HttpServer startStub() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/enrich", exchange -> {
                CALLS.add(System.currentTimeMillis());
                String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                boolean fail = FAILURES_LEFT.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                byte[] body = (fail ? "{\"error\":\"down\"}" : request.replace("}", ",\"score\":42}"))
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(fail ? failureStatus : 200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
            server.start();
            return server;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
