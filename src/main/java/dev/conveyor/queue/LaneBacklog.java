package dev.conveyor.queue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.conveyor.config.QueueBackend;
import org.apache.camel.CamelContext;
import org.apache.camel.component.seda.SedaEndpoint;
import org.springframework.stereotype.Component;

/**
 * How many published jobs wait in this process's in-memory lanes. The dispatcher keeps it bounded, so the
 * jobs table — not the heap — holds the backlog, a restart re-publishes little, and several instances on
 * one database share the work. Durable backends (Kafka, SQS) hold their own backlog: 0 here.
 */
@Component
public class LaneBacklog {

    /** The in-memory lanes' queue names (not the dead-letter lane's, nor the event sinks' queues). */
    private static final Set<String> LANE_QUEUES = Arrays.stream(Lane.values())
            .map(lane -> "conveyor." + lane.wireName()).collect(Collectors.toUnmodifiableSet());

    private final CamelContext camel;
    private final boolean inMemory;
    private volatile List<SedaEndpoint> laneEndpoints;

    public LaneBacklog(CamelContext camel, QueueBackend backend) {
        this.camel = camel;
        this.inMemory = backend.isVolatile();
    }

    public int pending() {
        if (!inMemory) {
            return 0;
        }
        int pending = 0;
        for (SedaEndpoint lane : lanes()) {
            pending += lane.getCurrentQueueSize();
        }
        return pending;
    }

    /** The lanes' queues, looked up once they exist: this is asked after every job. */
    private List<SedaEndpoint> lanes() {
        List<SedaEndpoint> found = laneEndpoints;
        if (found != null) {
            return found;
        }
        // one endpoint per queue: a lane's publishing and consuming endpoints share theirs
        Map<String, SedaEndpoint> byQueue = new HashMap<>();
        for (var endpoint : camel.getEndpoints()) {
            if (endpoint instanceof SedaEndpoint seda && LANE_QUEUES.contains(seda.getName())) {
                byQueue.putIfAbsent(seda.getName(), seda);
            }
        }
        List<SedaEndpoint> lanes = new ArrayList<>(byQueue.values());
        if (lanes.size() >= Lane.values().length) {
            laneEndpoints = List.copyOf(lanes);
        }
        return lanes;
    }
}
