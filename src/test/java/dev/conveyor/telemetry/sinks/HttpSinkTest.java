package dev.conveyor.telemetry.sinks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorInstance;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.telemetry.EventSchemas;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP sink against a real HTTP server in this JVM: events arrive in batches as JSON arrays; while the
 * endpoint is down a job still finishes at once and its events wait in the bounded queue until it is back; when
 * the bound is hit exactly the overflow is dropped and counted; what is queued at shutdown is still sent.
 */
@Tag("slow") // a service instance of its own per scenario
class HttpSinkTest {

    static final Duration PROMPTLY = Duration.ofSeconds(15);
    static EventSchemas schemas;

    final List<AutoCloseable> opened = new ArrayList<>();
    final List<String> schemasToDrop = new ArrayList<>();

    @BeforeAll
    static void loadSchemas() {
        schemas = EventSchemas.load(Path.of("schemas"));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        schemasToDrop.forEach(ConveyorInstance::dropSchema);
    }

    @Test
    void eventsArriveInBatchesAsJsonArraysAndTheLastBatchIsSentAtShutdown() throws Exception {
        EventReceiver receiver = open(EventReceiver.answering(200));
        // batches of 2 and a flush interval no test waits for: a job's third event only leaves at shutdown
        ConveyorInstance instance = start(receiver, Map.of(
                "conveyor.telemetry.sinks.batch-size", "2",
                "conveyor.telemetry.sinks.flush-interval-ms", "600000"));
        Api api = instance.api();

        String jobId = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        assertThat(api.awaitFinished(jobId).get("status").asText()).isEqualTo("SUCCESS");
        List<String> stored = storedEventIds(instance, jobId);
        assertThat(stored).hasSize(3);

        await().atMost(PROMPTLY).until(() -> receiver.eventIds().size() >= 2);
        EventReceiver.Batch first = receiver.batches().get(0);
        assertThat(first.contentType()).startsWith("application/json");
        assertThat(first.body().isArray()).as("a JSON array: " + first.text()).isTrue();
        assertThat(first.body()).hasSize(2);
        // the sink counts a batch delivered once its POST has been answered, a moment after the receiver has it
        await().atMost(PROMPTLY).untilAsserted(() -> assertThat(sinks(instance).backlog("http"))
                .as("the third event, waiting for its batch").isEqualTo(1));
        assertThat(receiver.eventIds()).containsExactlyElementsOf(stored.subList(0, 2));

        instance.close();

        assertThat(receiver.eventIds()).as("the partial batch flushed at shutdown")
                .containsExactlyElementsOf(stored);
        assertThat(receiver.batches()).allSatisfy(batch -> assertThat(batch.body().isArray()).isTrue());
        for (JsonNode event : receiver.events()) {
            assertThat(schemas.violations(event)).as(event.toString()).isEmpty();
        }
    }

    @Test
    void whileTheEndpointAnswers503AJobFinishesPromptlyAndItsEventsWaitUntilItIsBack() throws Exception {
        EventReceiver receiver = open(EventReceiver.answering(503));
        ConveyorInstance instance = start(receiver, Map.of(
                "conveyor.telemetry.sinks.flush-interval-ms", "100",
                "conveyor.telemetry.sinks.retry-initial-ms", "100",
                "conveyor.telemetry.sinks.retry-max-ms", "400"));
        Api api = instance.api();

        String jobId = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        assertThat(api.awaitFinished(jobId, PROMPTLY).get("status").asText()).isEqualTo("SUCCESS");
        List<String> stored = storedEventIds(instance, jobId);

        // the batch is tried again and again; its events wait, none is lost
        await().atMost(PROMPTLY).until(() -> receiver.refusedRequests() >= 3);
        assertThat(receiver.events()).isEmpty();
        assertThat(sinks(instance).backlog("http")).isEqualTo(3);

        receiver.answer(200);

        await().atMost(PROMPTLY).untilAsserted(() ->
                assertThat(receiver.eventIds()).containsExactlyInAnyOrderElementsOf(stored));
        await().atMost(PROMPTLY).until(() -> sinks(instance).backlog("http") == 0);
        MeterRegistry registry = instance.bean(MeterRegistry.class);
        assertThat(count(registry, EventSinks.DELIVERED, "http")).isEqualTo(3);
        assertThat(count(registry, EventSinks.DROPPED, "http")).isZero();

        // a 4xx refuses the batch itself: it is not retried, and its events are counted as rejected
        receiver.answer(400);
        int requestsBefore = receiver.refusedRequests();
        String refused = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        assertThat(api.awaitFinished(refused, PROMPTLY).get("status").asText()).isEqualTo("SUCCESS");
        await().atMost(PROMPTLY).until(() -> count(registry, EventSinks.DROPPED, "http") == 3);
        assertThat(registry.get(EventSinks.DROPPED).tag("sink", "http").tag("reason", "rejected").counter()
                .count()).isEqualTo(3);
        assertThat(receiver.refusedRequests() - requestsBefore).as("one request per batch, none retried")
                .isLessThanOrEqualTo(3);
        assertThat(sinks(instance).backlog("http")).isZero();
        assertThat(receiver.eventIds()).containsExactlyInAnyOrderElementsOf(stored);
    }

    @Test
    void withATinyQueueAndTheEndpointDownExactlyTheOverflowIsDroppedAndCountedAndTheRestArrives()
            throws Exception {
        EventReceiver receiver = open(EventReceiver.answering(503));
        ConveyorInstance instance = start(receiver, Map.of(
                "conveyor.telemetry.sinks.queue-capacity", "3",
                "conveyor.telemetry.sinks.batch-size", "1",
                "conveyor.telemetry.sinks.flush-interval-ms", "50",
                "conveyor.telemetry.sinks.retry-initial-ms", "100",
                "conveyor.telemetry.sinks.retry-max-ms", "200"));
        Api api = instance.api();
        MeterRegistry registry = instance.bean(MeterRegistry.class);

        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            jobs.add(api.submit(CsvJobs.inline(CsvJobs.CLEAN)));
        }
        for (String jobId : jobs) {
            assertThat(api.awaitFinished(jobId, PROMPTLY).get("status").asText()).isEqualTo("SUCCESS");
        }
        List<String> stored = new ArrayList<>();
        jobs.forEach(jobId -> stored.addAll(storedEventIds(instance, jobId)));
        assertThat(stored).hasSize(18);

        double dropped = count(registry, EventSinks.DROPPED, "http");
        assertThat(dropped).as("18 events, room for 3 in the queue and one batch in hand").isGreaterThan(0);
        assertThat(registry.get(EventSinks.DROPPED).tag("sink", "http").tag("reason", "queue_full").counter()
                .count()).isEqualTo(dropped);
        assertThat(receiver.events()).isEmpty();

        receiver.answer(200);

        await().atMost(PROMPTLY).until(() -> sinks(instance).backlog("http") == 0);
        List<String> received = receiver.eventIds();
        assertThat(received).doesNotHaveDuplicates();
        assertThat(stored).containsAll(received);
        assertThat(count(registry, EventSinks.DELIVERED, "http")).isEqualTo(received.size());
        // nothing else lost: every event is either delivered or counted as dropped
        assertThat(received.size() + count(registry, EventSinks.DROPPED, "http")).isEqualTo(stored.size());
        assertThat(count(registry, EventSinks.DROPPED, "http")).as("no more drops once it was back")
                .isEqualTo(dropped);
    }

    @Test
    void aSinkStillDownAtShutdownGivesItsEventsUpAtOnceAndCountsThem() throws Exception {
        EventReceiver receiver = open(EventReceiver.answering(503));
        ConveyorInstance instance = start(receiver, Map.of(
                "conveyor.telemetry.sinks.flush-interval-ms", "100",
                "conveyor.telemetry.sinks.retry-initial-ms", "100",
                "conveyor.telemetry.sinks.retry-max-ms", "1000"));
        Api api = instance.api();
        MeterRegistry registry = instance.bean(MeterRegistry.class);
        EventSinks sinks = sinks(instance);
        String jobId = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        assertThat(api.awaitFinished(jobId, PROMPTLY).get("status").asText()).isEqualTo("SUCCESS");
        await().atMost(PROMPTLY).until(() -> receiver.refusedRequests() >= 2 && sinks.backlog("http") == 3);

        Counter givenUp = registry.get(EventSinks.DROPPED).tag("sink", "http").tag("reason", "shutdown").counter();
        assertThat(givenUp.count()).isZero();
        long stopping = System.nanoTime();
        instance.close();
        Duration stop = Duration.ofNanos(System.nanoTime() - stopping);

        // well inside Camel's 45 s shutdown timeout: the retries stop with the service, they do not hold it
        assertThat(stop).isLessThan(Duration.ofSeconds(30));
        assertThat(receiver.events()).isEmpty();
        assertThat(givenUp.count()).as("the three events, given up").isEqualTo(3);
        assertThat(sinks.backlog("http")).isZero();
    }

    private ConveyorInstance start(EventReceiver receiver, Map<String, String> settings) {
        String schema = ConveyorInstance.newSchema();
        schemasToDrop.add(schema);
        Map<String, String> all = new HashMap<>(settings);
        all.put("conveyor.telemetry.sinks.http.url", receiver.url());
        ConveyorInstance instance = ConveyorInstance.start("http-sink", schema, all);
        opened.add(instance);
        return instance;
    }

    private <T extends AutoCloseable> T open(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    static EventSinks sinks(ConveyorInstance instance) {
        return instance.bean(EventSinks.class);
    }

    static List<String> storedEventIds(ConveyorInstance instance, String jobId) {
        return instance.jdbc().queryForList(
                "SELECT event_id::text FROM job_events WHERE job_id = ? ORDER BY created_at, event_id",
                String.class, jobId);
    }

    static double count(MeterRegistry registry, String name, String sink) {
        return registry.find(name).tag("sink", sink).counters().stream().mapToDouble(Counter::count).sum();
    }
}
