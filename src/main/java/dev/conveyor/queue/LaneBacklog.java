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
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.component.aws2.sqs.Sqs2Endpoint;
import org.apache.camel.component.seda.SedaEndpoint;
import org.springframework.stereotype.Component;

/**
 * How many published jobs wait in this process's in-memory lanes (a message carries a set of jobs: each job
 * counts), and how many consumers each lane has. The dispatcher keeps the backlog bounded, so the
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
    private final Map<String, Integer> consumersByLane = new java.util.concurrent.ConcurrentHashMap<>();

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
            for (Exchange message : lane.getQueue()) {
                pending += message.getIn().getBody() instanceof List<?> set ? set.size() : 1;
            }
        }
        return pending;
    }

    /**
     * The concurrent consumers of a lane in this instance (its {@code consume} endpoint's
     * {@code concurrentConsumers}): of its in-memory queue, or of its SQS queue (the lane's worker route,
     * {@code worker-<lane>}); 1 before the lane's consumer exists.
     */
    public int consumers(String lane) {
        Integer known = consumersByLane.get(lane);
        if (known != null) {
            return known;
        }
        String queue = "conveyor." + lane;
        int most = 0;
        for (var endpoint : camel.getEndpoints()) {
            if (endpoint instanceof SedaEndpoint seda && queue.equals(seda.getName())
                    && !seda.getConsumers().isEmpty()) {
                most = Math.max(most, seda.getConcurrentConsumers());
            }
        }
        Route worker = camel.getRoute("worker-" + lane);
        if (most == 0 && worker != null && worker.getEndpoint() instanceof Sqs2Endpoint sqs) {
            most = sqs.getConfiguration().getConcurrentConsumers();
        }
        if (most == 0) {
            return 1;
        }
        consumersByLane.put(lane, most);
        return most;
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
