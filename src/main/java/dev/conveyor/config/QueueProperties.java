package dev.conveyor.config;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * {@code conveyor.queue}: which backend carries the lanes, its settings, and each lane's endpoints. The backend is
 * bound here once, as a {@link QueueBackend} (a bean of its own, {@link ConfigurationModel#chosenQueueBackend}); any other
 * value stops the start. The lanes' endpoint URIs are assembled in application.yaml from these keys and read by the
 * routes ({@code {{conveyor.queue.lane.<lane>.publish}}}); they are bound here so that every key has one typed
 * home and is checked at start. Defaults: application.yaml only (docs/configuration.md).
 *
 * @param lane     each lane's endpoints on the chosen backend (high, normal, low, bulk, dead-letter)
 * @param backends every backend's endpoints per lane, of which {@code lane} picks {@code backend}'s
 */
@ConfigurationProperties("conveyor.queue")
public record QueueProperties(
        QueueBackend backend,
        @DefaultValue Kafka kafka,
        @DefaultValue Sqs sqs,
        @DefaultValue Map<String, Endpoints> lane,
        @DefaultValue Map<String, Map<String, Endpoints>> backends) implements Validator {

    /**
     * @param producerOptions the camel-kafka options of every lane's publishing endpoint
     * @param consumerOptions the camel-kafka options of every lane's consuming endpoint
     */
    public record Kafka(
            String brokers,
            String topicPrefix,
            int partitions,
            short replicationFactor,
            long maxBlockMs,
            long lingerMs,
            int maxPollRecords,
            long batchLingerMs,
            int sessionTimeoutMs,
            String producerOptions,
            String consumerOptions) {
    }

    /**
     * {@code publishBatch}: messages per SendMessageBatch request (SQS allows at most 10). {@code jobsPerMessage}: the
     * most jobs of one message (a set, run by one consumer). {@code deleteLingerMs}: how long a finished set's message
     * may wait for others to share its DeleteMessageBatch request; {@code deleteSenders}: threads sending those
     * requests.
     */
    public record Sqs(
            String endpoint,
            String region,
            String queuePrefix,
            int visibilityTimeoutSeconds,
            boolean embedded,
            int embeddedPort,
            int publishBatch,
            int jobsPerMessage,
            int waitTimeSeconds,
            long deleteLingerMs,
            int deleteSenders,
            String producerOptions,
            String consumerOptions) {

        /** The most entries one SendMessageBatch or DeleteMessageBatch request may carry. */
        public static final int MAX_BATCH = 10;
    }

    /** A lane's endpoint URIs: where the dispatcher publishes, where the lane's workers consume (none for dead-letter). */
    public record Endpoints(String publish, String consume) {
    }

    @Override
    public boolean supports(Class<?> type) {
        return QueueProperties.class.isAssignableFrom(type);
    }

    /** The bounds of each setting; a value outside them stops the start. */
    @Override
    public void validate(Object target, Errors errors) {
        QueueProperties q = (QueueProperties) target;
        Checks check = new Checks(errors).present("backend", q.backend);
        check.holds("kafka.brokers", q.kafka.brokers, q.kafka.brokers != null && !q.kafka.brokers.isBlank(),
                        "must name at least one host:port")
                .atLeast("kafka.partitions", q.kafka.partitions, 1)
                .atLeast("kafka.replicationFactor", q.kafka.replicationFactor, 1)
                .atLeast("kafka.maxBlockMs", q.kafka.maxBlockMs, 0)
                .atLeast("kafka.lingerMs", q.kafka.lingerMs, 0)
                .atLeast("kafka.maxPollRecords", q.kafka.maxPollRecords, 1)
                .atLeast("kafka.batchLingerMs", q.kafka.batchLingerMs, 1)
                .atLeast("kafka.sessionTimeoutMs", q.kafka.sessionTimeoutMs, 6000);
        check.between("sqs.visibilityTimeoutSeconds", q.sqs.visibilityTimeoutSeconds, 0, 43_200)
                .between("sqs.embeddedPort", q.sqs.embeddedPort, 0, 65_535)
                .between("sqs.publishBatch", q.sqs.publishBatch, 1, Sqs.MAX_BATCH)
                .between("sqs.jobsPerMessage", q.sqs.jobsPerMessage, 1, 1000)
                .between("sqs.waitTimeSeconds", q.sqs.waitTimeSeconds, 0, 20)
                .atLeast("sqs.deleteLingerMs", q.sqs.deleteLingerMs, 0)
                .atLeast("sqs.deleteSenders", q.sqs.deleteSenders, 1);
        // a lane's endpoints are looked up under backends.<backend>, spelled as written: QUEUE_BACKEND=Kafka binds
        // the enum but finds no endpoints
        q.lane.forEach((name, endpoints) -> {
            check.holds("lane[" + name + "].publish", endpoints.publish, resolved(endpoints.publish),
                    "names no endpoint: conveyor.queue.backend must be written as under conveyor.queue.backends "
                            + "(memory, kafka or sqs, lower case)");
            if (endpoints.consume != null) {
                check.holds("lane[" + name + "].consume", endpoints.consume, resolved(endpoints.consume),
                        "names no endpoint: conveyor.queue.backend must be written as under conveyor.queue.backends "
                                + "(memory, kafka or sqs, lower case)");
            }
        });
    }

    private static boolean resolved(String uri) {
        return uri != null && !uri.isBlank() && !uri.contains("${");
    }
}
