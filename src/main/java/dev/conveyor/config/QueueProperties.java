package dev.conveyor.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code conveyor.queue}: which backend carries the lanes, and what the service's own code needs to know of it. The
 * lanes' endpoint URIs (and the endpoint options in {@code kafka.producer-options}, {@code sqs.consumer-options}, …)
 * stay strings in application.yaml, read by the routes; see docs/configuration.md.
 */
@ConfigurationProperties("conveyor.queue")
public record QueueProperties(
        @DefaultValue("memory") String backend,
        @DefaultValue Kafka kafka,
        @DefaultValue Sqs sqs) {

    public record Kafka(
            @DefaultValue("localhost:9092") String brokers,
            @DefaultValue("conveyor.jobs.") String topicPrefix,
            @DefaultValue("24") int partitions,
            @DefaultValue("1") short replicationFactor,
            @DefaultValue("5000") long maxBlockMs) {
    }

    /**
     * {@code publishBatch}: job ids per SendMessageBatch request (SQS allows at most 10). {@code deleteLingerMs}: how
     * long a finished job's message may wait for others to share its DeleteMessageBatch request; {@code
     * deleteSenders}: threads sending those requests.
     */
    public record Sqs(
            @DefaultValue("") String endpoint,
            @DefaultValue("us-east-1") String region,
            @DefaultValue("conveyor-jobs-") String queuePrefix,
            @DefaultValue("120") int visibilityTimeoutSeconds,
            @DefaultValue("false") boolean embedded,
            @DefaultValue("9324") int embeddedPort,
            @DefaultValue("10") int publishBatch,
            @DefaultValue("500") long deleteLingerMs,
            @DefaultValue("2") int deleteSenders) {

        /** The most entries one SendMessageBatch or DeleteMessageBatch request may carry. */
        public static final int MAX_BATCH = 10;

        public Sqs {
            if (publishBatch < 1 || publishBatch > MAX_BATCH) {
                throw new IllegalArgumentException("conveyor.queue.sqs.publish-batch must be 1 to " + MAX_BATCH
                        + " (was " + publishBatch + ")");
            }
            if (deleteSenders < 1) {
                throw new IllegalArgumentException("conveyor.queue.sqs.delete-senders must be 1 or more");
            }
        }
    }
}
