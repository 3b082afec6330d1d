package dev.conveyor.telemetry.sinks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

/**
 * Makes a batch on a sink's own thread: the event its route just took off the sink's queue, and those queued
 * behind it, up to {@code batch-size}, waiting at most {@code flush-interval-ms} for more. The events stay in the
 * bounded queue until taken, and the route sends one batch before it takes the next, so a sink never holds more
 * than its queue's capacity plus one batch, however long its endpoint is down, and sends them in the order they
 * were queued. Camel's Aggregate EIP would not: a batch completed by its timeout is sent on the aggregator's
 * timer thread while the route's thread goes on taking events and completing batches by size, so two batches
 * could be in flight at once, the later one overtaking, and the events outside the bound. Once the service
 * begins to stop, a batch is sent with what is there, without waiting.
 *
 * <p>The events behind the first are polled from the same queue endpoint through a {@link ConsumerTemplate}
 * (Camel's polling consumer of a SEDA endpoint takes from its queue), on the route's thread, so the queue stays
 * Camel's and is only used through its endpoint.
 */
@Component("eventBatcher")
public class EventBatcher implements ApplicationListener<ContextClosedEvent> {

    /** How often the wait for more events looks whether the service is stopping. */
    private static final long SLICE_MS = 50;

    private final CamelContext camel;
    private final ConsumerTemplate consumer;
    private final TelemetrySinksProperties properties;
    private final Map<String, Endpoint> queues = new ConcurrentHashMap<>();
    private final int batchSize;
    private final long flushIntervalMs;
    private volatile boolean closing;

    public EventBatcher(CamelContext camel, ConsumerTemplate consumer, TelemetrySinksProperties properties) {
        this.camel = camel;
        this.consumer = consumer;
        this.properties = properties;
        this.batchSize = Math.max(1, properties.batchSize());
        this.flushIntervalMs = Math.max(0, properties.flushIntervalMs());
    }

    /**
     * @param sink the sink ({@code log}, {@code kafka}, {@code http}) whose route took {@code first} off its queue
     * @return the batch, oldest first
     */
    public List<Exchange> take(String sink, Exchange first) {
        Endpoint waiting = queues.computeIfAbsent(sink, name -> camel.getEndpoint(queueOf(name)));
        List<Exchange> batch = new ArrayList<>(batchSize);
        batch.add(first.copy()); // a copy: the route's exchange is about to carry the batch as its body
        drain(waiting, batch);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(flushIntervalMs);
        while (batch.size() < batchSize && !closing) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            Exchange next = consumer.receive(waiting, Math.min(left, SLICE_MS));
            if (next != null) {
                batch.add(next);
                drain(waiting, batch);
            }
        }
        return batch;
    }

    /** Adds what is queued now, without waiting, until the batch is full. */
    private void drain(Endpoint waiting, List<Exchange> batch) {
        while (batch.size() < batchSize) {
            Exchange next = consumer.receiveNoWait(waiting);
            if (next == null) {
                return;
            }
            batch.add(next);
        }
    }

    private String queueOf(String sink) {
        return switch (sink) {
            case "log" -> properties.log().queue();
            case "kafka" -> properties.kafka().queue();
            case "http" -> properties.http().queue();
            default -> throw new IllegalArgumentException("no event sink " + sink);
        };
    }

    /** The events of a batch, each the JSON written to job_events. */
    public static List<String> events(List<Exchange> batch) {
        List<String> events = new ArrayList<>(batch.size());
        for (Exchange exchange : batch) {
            events.add(exchange.getIn().getBody(String.class));
        }
        return events;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        closing = true;
    }
}
