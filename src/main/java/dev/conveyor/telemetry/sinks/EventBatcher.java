package dev.conveyor.telemetry.sinks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.seda.SedaEndpoint;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

/**
 * Makes a batch on a sink's own thread: the event its route just took off the sink's queue, and those queued
 * behind it, up to {@code batch-size}, waiting at most {@code flush-interval-ms} for more. The events stay in the
 * bounded queue until taken, and the route sends one batch before it takes the next, so a sink never holds more
 * than its queue's capacity plus one batch, however long its endpoint is down (Camel's aggregator would hand
 * batches to another thread and let them pile up outside the bound). Once the service begins to stop, a batch
 * is sent with what is there, without waiting.
 */
@Component("eventBatcher")
public class EventBatcher implements ApplicationListener<ContextClosedEvent> {

    /** How often the wait for more events looks whether the service is stopping. */
    private static final long SLICE_MS = 50;

    private final CamelContext camel;
    private final TelemetrySinksProperties properties;
    private final int batchSize;
    private final long flushIntervalMs;
    private volatile boolean closing;

    public EventBatcher(CamelContext camel, TelemetrySinksProperties properties) {
        this.camel = camel;
        this.properties = properties;
        this.batchSize = Math.max(1, properties.batchSize());
        this.flushIntervalMs = Math.max(0, properties.flushIntervalMs());
    }

    /**
     * @param sink the sink ({@code log}, {@code kafka}, {@code http}) whose route took {@code first} off its queue
     * @return the batch, oldest first
     */
    public List<Exchange> take(String sink, Exchange first) throws InterruptedException {
        BlockingQueue<Exchange> waiting = camel.getEndpoint(queueOf(sink), SedaEndpoint.class).getQueue();
        List<Exchange> batch = new ArrayList<>(batchSize);
        batch.add(first.copy()); // a copy: the route's exchange is about to carry the batch as its body
        waiting.drainTo(batch, batchSize - batch.size());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(flushIntervalMs);
        while (batch.size() < batchSize && !closing) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            Exchange next = waiting.poll(Math.min(left, SLICE_MS), TimeUnit.MILLISECONDS);
            if (next != null) {
                batch.add(next);
                waiting.drainTo(batch, batchSize - batch.size());
            }
        }
        return batch;
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
