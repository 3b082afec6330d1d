package dev.conveyor.queue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.springframework.stereotype.Component;

/**
 * The worker route's {@code job-ids} step: the job ids a lane's message carries, whatever the backend delivered.
 * <ul>
 * <li>memory: the message is a set, a list of ids;</li>
 * <li>Kafka: the lane consumers batch ({@code batching=true}), so the message is a poll's records, a list of
 * exchanges whose bodies are job ids; each record's offset commit is kept on the message
 * ({@link #RECORD_COMMITS}) for the acknowledgement, which comes after every job of the poll is done;</li>
 * <li>SQS: a message is a set, its ids joined by commas ({@link JobDispatcher#prepareMessage});</li>
 * <li>anything else, a single id (a message published before sets, or by hand).</li>
 * </ul>
 * Counts the ids per lane ({@code conveyor.queue.delivered}): beside the jobs started, what the backend delivered
 * more than once.
 */
@Component("deliveredJobs")
public class DeliveredJobs {

    /** The offset commits of a Kafka poll's records, acknowledged together ({@link QueueAcknowledger}). */
    public static final String RECORD_COMMITS = "ConveyorRecordCommits";
    public static final String DELIVERED = "conveyor.queue.delivered";

    private final MeterRegistry registry;
    private final Map<String, Counter> deliveredByLane = new ConcurrentHashMap<>();

    public DeliveredJobs(MeterRegistry registry) {
        this.registry = registry;
    }

    public List<String> ids(Exchange exchange, String lane) {
        List<String> ids = idsOf(exchange);
        deliveredByLane.computeIfAbsent(lane, name -> Counter.builder(DELIVERED).tag("lane", name)
                .description("job ids delivered to the lane's workers, duplicates included").register(registry))
                .increment(ids.size());
        return ids;
    }

    private static List<String> idsOf(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof List<?> list) {
            List<String> ids = new ArrayList<>(list.size());
            List<KafkaManualCommit> commits = new ArrayList<>();
            for (Object element : list) {
                if (element instanceof Exchange record) {
                    ids.addAll(idsIn(record.getMessage().getBody()));
                    KafkaManualCommit commit = record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT,
                            KafkaManualCommit.class);
                    if (commit != null) {
                        commits.add(commit);
                    }
                } else {
                    ids.addAll(idsIn(element));
                }
            }
            if (!commits.isEmpty()) {
                exchange.getMessage().setHeader(RECORD_COMMITS, commits);
            }
            return ids;
        }
        return idsIn(body);
    }

    private static List<String> idsIn(Object body) {
        String text = body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(body);
        if (text.indexOf(',') < 0) {
            return List.of(text.strip());
        }
        List<String> ids = new ArrayList<>();
        for (String id : text.split(",")) {
            if (!id.isBlank()) {
                ids.add(id.strip());
            }
        }
        return ids;
    }
}
