package dev.conveyor.support;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A queue backend for the packaged service ({@link ServiceProcess}), with its broker in this JVM, outside the
 * service's process, so the broker outlives a service that is killed: an embedded KRaft broker for Kafka, an
 * embedded ElasticMQ for SQS, none for memory. Each broker is started on first use and shared by the tests of a
 * run ({@link #stopAll()} after the last); {@code isolation} keeps one test's topics or queues apart from another's.
 */
public enum QueueBroker {

    MEMORY {
        @Override
        public Map<String, String> environment(String isolation) {
            return Map.of("QUEUE_BACKEND", "memory");
        }

        @Override
        public long messagesLeft(String isolation, String lane) {
            return 0; // the in-process lanes end with the process; the table republishes at start-up
        }
    },

    KAFKA {
        private EmbeddedKafkaKraftBroker broker;

        @Override
        public Map<String, String> environment(String isolation) {
            if (broker == null) {
                broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS);
                broker.afterPropertiesSet();
            }
            return Map.of("QUEUE_BACKEND", "kafka", "KAFKA_BROKERS", broker.getBrokersAsString(),
                    "KAFKA_TOPIC_PREFIX", isolation + ".", "KAFKA_PARTITIONS", Integer.toString(PARTITIONS));
        }

        /** Records of the lane's topic past its consumer group's committed offsets: taken or not, unacknowledged. */
        @Override
        public long messagesLeft(String isolation, String lane) throws Exception {
            String topic = isolation + "." + lane;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.getBrokersAsString()))) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(topic)
                        .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                long left = 0;
                for (var end : admin.listOffsets(latest).all().get().entrySet()) {
                    OffsetAndMetadata done = committed.get(end.getKey());
                    left += end.getValue().offset() - (done == null ? 0 : done.offset());
                }
                return left;
            }
        }

        @Override
        void stop() {
            if (broker != null) {
                broker.destroy();
                broker = null;
            }
        }
    },

    SQS {
        private SQSRestServer elasticMq;
        private SqsClient client;
        private String endpoint;

        @Override
        public Map<String, String> environment(String isolation) {
            if (elasticMq == null) {
                elasticMq = SQSRestServerBuilder.withDynamicPort().withInterface("localhost").start();
                endpoint = "http://localhost:" + elasticMq.waitUntilStarted().localAddress().getPort();
                client = SqsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local",
                                "local"))).build();
            }
            // short long-polls: a service's clean stop waits for its consumers' receives in flight (10 s each at
            // the default); a killed one leaves them behind whatever they are
            return Map.of("QUEUE_BACKEND", "sqs", "SQS_EMBEDDED", "false", "SQS_ENDPOINT", endpoint,
                    "SQS_QUEUE_PREFIX", isolation + "-", "AWS_REGION", "us-east-1", "SQS_WAIT_TIME_SECONDS", "1");
        }

        /** Messages in the lane's queue, visible or not: every one not yet deleted. */
        @Override
        public long messagesLeft(String isolation, String lane) {
            String url = client.getQueueUrl(b -> b.queueName(isolation + "-" + lane)).queueUrl();
            Map<QueueAttributeName, String> attributes = client.getQueueAttributes(b -> b.queueUrl(url)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
            return attributes.values().stream().mapToLong(Long::parseLong).sum();
        }

        @Override
        void stop() {
            if (elasticMq != null) {
                client.close();
                elasticMq.stopAndWait();
                elasticMq = null;
            }
        }
    };

    private static final int PARTITIONS = 4;

    /** The service's environment variables that select this backend and reach its broker (started if need be). */
    public abstract Map<String, String> environment(String isolation);

    /**
     * Messages of the lane the broker still holds for the service — not yet acknowledged (Kafka: past the
     * committed offset; SQS: not deleted) — so a restarted service would be handed them again.
     */
    public abstract long messagesLeft(String isolation, String lane) throws Exception;

    void stop() {
    }

    /** Stops every broker started, once no service uses them. */
    public static void stopAll() {
        for (QueueBroker broker : values()) {
            broker.stop();
        }
    }
}
