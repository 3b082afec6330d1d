package dev.conveyor.telemetry.sinks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A sink's queue and batches on a real Camel context with a real SEDA queue of three and no route draining it,
 * so what the queue holds is exactly what the test put there: a full queue refuses at once and the event is
 * counted, in order; a batch is the event taken and those behind it; once the service is stopping, a batch
 * goes with what is there, without waiting for more.
 */
class SinkQueueTest {

    static final String QUEUE = "seda:sink-queue-test?size=3";

    final CamelContext camel = new DefaultCamelContext();
    final MeterRegistry registry = new SimpleMeterRegistry();
    ProducerTemplate producer;
    ConsumerTemplate consumer;

    @BeforeEach
    void startCamel() {
        camel.start();
        producer = camel.createProducerTemplate();
        consumer = camel.createConsumerTemplate();
    }

    @AfterEach
    void stopCamel() {
        camel.stop();
    }

    @Test
    void aFullQueueRefusesAtOnceAndEachRefusedEventIsCountedAsQueueFull() {
        EventSinks sinks = new EventSinks(camel, producer, registry, properties(100, 600_000));

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 1; i <= 5; i++) {
                int n = i;
                assertThatCode(() -> sinks.offer("{\"n\":" + n + "}", "acme:toys")).doesNotThrowAnyException();
            }
        }, "an offer to a full queue must not wait");

        assertThat(sinks.backlog("http")).as("the queue's three").isEqualTo(3);
        assertThat(dropped("queue_full")).isEqualTo(2);
        assertThat(dropped("rejected") + dropped("shutdown")).isZero();
        List<Exchange> queued = new ArrayList<>();
        for (Exchange e = consumer.receiveNoWait(QUEUE); e != null; e = consumer.receiveNoWait(QUEUE)) {
            queued.add(e);
        }
        assertThat(EventBatcher.events(queued)).as("the first three, in order")
                .containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
        assertThat(queued).allSatisfy(e ->
                assertThat(e.getIn().getHeader(EventSinks.PARTITION_KEY_HEADER)).isEqualTo("acme:toys"));

        sinks.offer("{\"n\":6}", null);
        assertThat(dropped("queue_full")).as("room again once taken").isEqualTo(2);
        assertThat(sinks.backlog("http")).isEqualTo(4);
    }

    @Test
    void aBatchIsTheEventTakenAndThoseBehindItUpToBatchSizeInOrder() {
        TelemetrySinksProperties properties = properties(2, 0);
        EventSinks sinks = new EventSinks(camel, producer, registry, properties);
        EventBatcher batcher = new EventBatcher(camel, consumer, properties);
        for (int i = 1; i <= 3; i++) {
            sinks.offer("{\"n\":" + i + "}", null);
        }

        List<Exchange> batch = batcher.take("http", consumer.receiveNoWait(QUEUE));

        assertThat(EventBatcher.events(batch)).containsExactly("{\"n\":1}", "{\"n\":2}");
        assertThat(EventBatcher.events(batcher.take("http", consumer.receiveNoWait(QUEUE))))
                .containsExactly("{\"n\":3}");
    }

    @Test
    void onceTheServiceIsStoppingABatchGoesWithWhatIsThereWithoutWaitingForMore() {
        TelemetrySinksProperties properties = properties(10, 600_000);
        EventSinks sinks = new EventSinks(camel, producer, registry, properties);
        EventBatcher batcher = new EventBatcher(camel, consumer, properties);
        sinks.offer("{\"n\":1}", null);
        sinks.offer("{\"n\":2}", null);

        batcher.onApplicationEvent(new ContextClosedEvent(new GenericApplicationContext()));

        // a flush interval of ten minutes: only the stopping service lets the partial batch go now
        List<Exchange> batch = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> batcher.take("http", consumer.receiveNoWait(QUEUE)));
        assertThat(EventBatcher.events(batch)).containsExactly("{\"n\":1}", "{\"n\":2}");
    }

    private double dropped(String reason) {
        return registry.get(EventSinks.DROPPED).tag("sink", "http").tag("reason", reason).counter().count();
    }

    private static TelemetrySinksProperties properties(int batchSize, long flushIntervalMs) {
        return new TelemetrySinksProperties(3, batchSize, flushIntervalMs, 100, 1000,
                new TelemetrySinksProperties.Log(false, "seda:unused-log"),
                new TelemetrySinksProperties.Kafka(false, "t", "b", 1000, "seda:unused-kafka", "log:unused"),
                new TelemetrySinksProperties.Http("http://127.0.0.1:9/events", 1000, 1000, QUEUE));
    }
}
