package dev.conveyor.queue.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.conveyor.queue.DeliveredJobs;
import dev.conveyor.support.ConveyorInstance;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedRouteMBean;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Kafka backend publishes and acknowledges in batches: a lane's due jobs go to the producer in one exchange (a
 * record each), a consumer's poll is one set for the worker route, offsets are committed asynchronously once per poll
 * — only for records whose job is done — and a restart after a clean stop finds every offset committed, so it runs no
 * completed job's record again.
 */
@Tag("slow") // an embedded Kafka broker and a service instance of its own
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaBatchingTest {

    private static final int PARTITIONS = 12;

    private EmbeddedKafkaKraftBroker broker;
    private final List<String> schemas = new ArrayList<>();

    @BeforeAll
    void startBroker() {
        broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS);
        broker.afterPropertiesSet();
    }

    @AfterAll
    void stopBroker() {
        if (broker != null) {
            broker.destroy();
        }
        schemas.forEach(ConveyorInstance::dropSchema);
    }

    @Test
    void aLanesBatchIsOnePublishAndARestartReprocessesNoCompletedJob() throws Exception {
        String schema = ConveyorInstance.newSchema();
        schemas.add(schema);
        int count = 300;
        String topic = schema + ".normal";
        try (ConveyorInstance first = ConveyorInstance.start("kafka-batch", schema, properties(schema))) {
            QueueBackendContract.insertDueJobs(first.jdbc(), count, "normal", "kafka-batch", 0);
            QueueBackendContract.awaitAllFinished(first.jdbc(), "kafka-batch", count, Duration.ofSeconds(120));
            QueueBackendContract.assertExactlyOnce(first.jdbc(), "kafka-batch", count);

            CamelContext camel = first.bean(CamelContext.class);
            // 300 records on the topic, from a publish per lane and dispatcher round (batch-size 200), not per job
            assertThat(endOffsets(topic)).isEqualTo(count);
            long publishes = SqsBatchingTest.processor(camel, "publish-normal").getExchangesCompleted();
            assertThat(publishes).isBetween(2L, 20L);
            // a consumer's poll reaches the worker route as one message, a set: fewer messages than jobs
            ManagedRouteMBean worker = camel.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                    .getManagedRoute("worker-normal");
            assertThat(worker.getExchangesTotal()).isLessThan(count);

            // the asynchronous commits catch up with the consumed records while the instance still runs
            await().atMost(Duration.ofSeconds(30)).until(() -> committed(schema + ".normal", topic) == count);
        }
        assertThat(committed(schema + ".normal", topic)).isEqualTo(count);

        try (ConveyorInstance second = ConveyorInstance.start("kafka-batch-again", schema, properties(schema))) {
            CamelContext camel = second.bean(CamelContext.class);
            // A probe record on every partition, after the committed offsets: each partition's records reach the
            // worker in order, so once the worker route is done with all twelve probes, every record of a completed
            // job that the restart would deliver again has been delivered already.
            QueueBackendContract.insertDueJobs(second.jdbc(), PARTITIONS, "normal", "kafka-probe", 3600);
            List<String> probes = second.jdbc().queryForList(
                    "SELECT job_id FROM jobs WHERE marketplace = 'kafka-probe' ORDER BY job_id", String.class);
            // the job ids the lane's workers were delivered (a poll's records are one exchange, so the route's
            // exchange count would not say how many records it took)
            String lane = camel.resolvePropertyPlaceholders("{{conveyor.queue.lane.normal.publish}}");
            ProducerTemplate producer = camel.createProducerTemplate();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                producer.sendBodyAndHeaders(lane, probes.get(partition),
                        Map.of("jobId", probes.get(partition), KafkaConstants.PARTITION_KEY, partition));
            }
            producer.stop();
            QueueBackendContract.awaitAllFinished(second.jdbc(), "kafka-probe", PARTITIONS, Duration.ofSeconds(60));
            QueueBackendContract.assertExactlyOnce(second.jdbc(), "kafka-probe", PARTITIONS);

            double delivered = second.bean(MeterRegistry.class).get(DeliveredJobs.DELIVERED).tag("lane", "normal")
                    .counter().count();
            assertThat(delivered).as("records delivered after a clean restart: the probes, and no completed job's")
                    .isEqualTo((double) PARTITIONS);
            QueueBackendContract.assertExactlyOnce(second.jdbc(), "kafka-batch", count);
        }
    }

    private Map<String, String> properties(String schema) {
        return Map.of("conveyor.queue.backend", "kafka",
                "conveyor.queue.kafka.brokers", broker.getBrokersAsString(),
                "conveyor.queue.kafka.topic-prefix", schema + ".",
                "conveyor.queue.kafka.partitions", String.valueOf(PARTITIONS));
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()));
    }

    private long endOffsets(String topic) throws Exception {
        try (Admin admin = admin()) {
            Set<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().stream().map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toSet());
            return admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                    .all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }

    private long committed(String group, String topic) throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }
}
