package dev.conveyor.telemetry.sinks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import jakarta.annotation.PreDestroy;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

/**
 * Hands committed events to the asynchronous sinks (log, Kafka, HTTP) and keeps their books. Each enabled sink
 * has a bounded in-memory queue (its {@code queue} endpoint, a SEDA queue of {@code queue-capacity}) that a route
 * of routes/telemetry-sinks.camel.yaml drains in batches. An event is sent to that endpoint like any message, so
 * the queue stays Camel's, used through its endpoint only. An offer never waits and never throws: the queue is
 * set neither to block nor to discard when full, so a send to a full queue fails at once ("Queue full"), and the
 * event is dropped for that sink and counted in
 * {@code conveyor.events.dropped{sink,reason="queue_full"}}, with a WARN at most every {@link #WARN_EVERY_NANOS}.
 * Every event a sink accepted ends as exactly one of delivered ({@code conveyor.events.delivered}) or dropped
 * with a reason ({@code rejected}: the endpoint refused it for good; {@code shutdown}: the service stopped
 * before the sink could deliver it); until then it counts in {@code conveyor.events.sink.backlog{sink}}.
 */
@Component("eventSinks")
public class EventSinks implements ApplicationListener<ContextClosedEvent> {

    public static final String DELIVERED = "conveyor.events.delivered";
    public static final String DROPPED = "conveyor.events.dropped";
    public static final String BACKLOG = "conveyor.events.sink.backlog";
    /** Carried by each queued event: its partition_key, the key the Kafka sink gives its record. */
    public static final String PARTITION_KEY_HEADER = "kafka.KEY";

    /** Why a sink lost an event: its queue was full, the endpoint refused it, or the service stopped. */
    static final List<String> REASONS = List.of("queue_full", "rejected", "shutdown");

    static final long WARN_EVERY_NANOS = 10_000_000_000L;

    private static final Logger log = LoggerFactory.getLogger(EventSinks.class);

    private final CamelContext camel;
    private final ProducerTemplate producer;
    private final MeterRegistry registry;
    private final Map<String, Sink> sinks;
    private volatile boolean closing;

    public EventSinks(CamelContext camel, ProducerTemplate producer, MeterRegistry registry,
                      TelemetrySinksProperties properties) {
        this.camel = camel;
        this.producer = producer;
        this.registry = registry;
        Map<String, Sink> enabled = new LinkedHashMap<>();
        if (properties.log().enabled()) {
            enabled.put("log", new Sink("log", properties.log().queue()));
        }
        if (properties.kafka().enabled()) {
            enabled.put("kafka", new Sink("kafka", properties.kafka().queue()));
        }
        if (properties.http().enabled()) {
            enabled.put("http", new Sink("http", properties.http().queue()));
        }
        this.sinks = Collections.unmodifiableMap(enabled);
        if (!sinks.isEmpty()) {
            log.info("events go to the job_events table and, after commit, to the sinks {} (queues of {} events)",
                    sinks.keySet(), properties.queueCapacity());
        }
    }

    /** Whether any asynchronous sink is on; with none, nothing is offered. */
    public boolean any() {
        return !sinks.isEmpty();
    }

    public List<String> enabled() {
        return new ArrayList<>(sinks.keySet());
    }

    /**
     * Offers one committed event (its JSON as written to job_events) to every enabled sink's queue. Never
     * blocks the caller (a job's thread): a full queue drops the event for that sink and counts it.
     */
    public void offer(String eventJson, String partitionKey) {
        for (Sink sink : sinks.values()) {
            sink.backlog.incrementAndGet(); // before the send: its route may deliver it at once
            Exception refused;
            try {
                // InOnly: the SEDA producer queues a copy and answers at once; a full queue fails the send
                Exchange sent = producer.send(sink.endpoint(), ExchangePattern.InOnly, exchange -> {
                    exchange.getIn().setBody(eventJson);
                    exchange.getIn().setHeader(PARTITION_KEY_HEADER, partitionKey);
                });
                refused = sent.getException();
            } catch (RuntimeException e) { // the template itself stopped, say: still this sink's loss, counted
                refused = e;
            }
            if (refused != null) {
                sink.backlog.decrementAndGet();
                sink.dropped("queue_full", 1, queueFull(refused) ? null : refused);
            }
        }
    }

    /** The SEDA producer's refusal of a full queue: the queue's own {@code add} failing. */
    private static boolean queueFull(Throwable refused) {
        for (Throwable t = refused; t != null; t = t.getCause()) {
            if (t instanceof IllegalStateException) {
                return true;
            }
        }
        return false;
    }

    /** A sink's route delivered a batch of {@code count} events. */
    public void delivered(String sink, int count) {
        Sink s = sink(sink);
        s.delivered.increment(count);
        s.backlog.addAndGet(-count);
    }

    /** A sink's route gave up on a batch of {@code count} events it had accepted ({@code rejected}, {@code shutdown}). */
    public void undelivered(String sink, String reason, int count, Exception cause) {
        Sink s = sink(sink);
        s.backlog.addAndGet(-count);
        s.dropped(reason, count, cause);
    }

    /**
     * Whether a sink should send a failed batch again: yes until the service begins to stop; from then on a sink
     * that cannot deliver gives its batches up (counted) instead of holding the shutdown.
     */
    public boolean retrying() {
        return !closing;
    }

    /** The service begins to stop (before the web server, the workers and the routes do). */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        closing = true;
    }

    /** Events a sink accepted and has not yet delivered or given up on. */
    public long backlog(String sink) {
        return sink(sink).backlog.get();
    }

    private Sink sink(String name) {
        Sink sink = sinks.get(name);
        if (sink == null) {
            throw new IllegalArgumentException("no enabled event sink " + name + "; enabled: " + sinks.keySet());
        }
        return sink;
    }

    /**
     * When the service has stopped: Camel stopped first (a lifecycle bean stops before any bean is destroyed), so
     * each sink route has drained its queue or given its batches up; what a backlog still holds now is lost, and
     * is said so.
     */
    @PreDestroy
    void countWhatWasLeft() {
        for (Sink sink : sinks.values()) {
            long left = sink.backlog.getAndSet(0);
            if (left > 0) {
                sink.droppedCounter("shutdown").increment(left);
                log.warn("event sink {}: {} events were not delivered before the service stopped", sink.name, left);
            }
        }
    }

    /** One sink's queue and books. */
    private final class Sink {

        final String name;
        final String queue;
        volatile Endpoint endpoint;
        final AtomicLong backlog = new AtomicLong();
        final Counter delivered;
        final AtomicLong droppedSinceWarning = new AtomicLong();
        volatile long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;

        Sink(String name, String queue) {
            this.name = name;
            this.queue = queue;
            this.delivered = Counter.builder(DELIVERED)
                    .description("Events an asynchronous sink delivered, by sink")
                    .tag("sink", name)
                    .register(registry);
            Gauge.builder(BACKLOG, backlog, AtomicLong::get)
                    .description("Events an asynchronous sink accepted and has not delivered yet, by sink")
                    .tag("sink", name)
                    .register(registry);
            // every reason present at 0, so a rate() or an alert over it works before the first loss
            REASONS.forEach(this::droppedCounter);
        }

        /** Resolved once, on the first event: resolving the URI each time would parse it for every event. */
        Endpoint endpoint() {
            Endpoint known = endpoint;
            if (known == null) {
                known = camel.getEndpoint(queue);
                endpoint = known;
            }
            return known;
        }

        Counter droppedCounter(String reason) {
            return Counter.builder(DROPPED)
                    .description("Events an asynchronous sink lost, by sink and reason (queue_full, rejected, "
                            + "shutdown); the job_events table still has them")
                    .tag("sink", name)
                    .tag("reason", reason)
                    .register(registry);
        }

        void dropped(String reason, int count, Throwable cause) {
            droppedCounter(reason).increment(count);
            long pending = droppedSinceWarning.addAndGet(count);
            long now = System.nanoTime();
            long last = lastWarning;
            if (now - last >= WARN_EVERY_NANOS && pending > 0) {
                synchronized (this) {
                    if (lastWarning != last) {
                        return; // another thread just warned
                    }
                    lastWarning = now;
                }
                long told = droppedSinceWarning.getAndSet(0);
                log.warn("event sink {}: {} events dropped since the last warning (now: {}: {}); they are in "
                                + "job_events, counted in {}", name, told, reason,
                        cause == null ? "its queue is full" : cause.getMessage(), DROPPED);
            }
        }
    }
}
