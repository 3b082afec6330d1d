package dev.conveyor.queue;

import org.apache.camel.CamelContext;
import org.apache.camel.component.seda.SedaEndpoint;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * How many published jobs wait in this process's in-memory lanes. The dispatcher keeps it bounded, so the
 * jobs table — not the heap — holds the backlog, a restart re-publishes little, and several instances on
 * one database share the work. Durable backends (Kafka, SQS) hold their own backlog: 0 here.
 */
@Component
public class LaneBacklog {

    private static final String LANE_QUEUE_PREFIX = "conveyor.";

    private final CamelContext camel;
    private final boolean inMemory;

    public LaneBacklog(CamelContext camel, @Value("${conveyor.queue.backend}") String backend) {
        this.camel = camel;
        this.inMemory = QueueBackend.of(backend).isVolatile();
    }

    public int pending() {
        if (!inMemory) {
            return 0;
        }
        int pending = 0;
        for (var endpoint : camel.getEndpoints()) {
            if (endpoint instanceof SedaEndpoint seda && seda.getName().startsWith(LANE_QUEUE_PREFIX)
                    && !seda.getName().endsWith("dead-letter")) {
                pending += seda.getCurrentQueueSize();
            }
        }
        return pending;
    }
}
