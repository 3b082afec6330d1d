package dev.conveyor.queue.contract;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.conveyor.support.ConveyorInstance;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.serialization.StringDeserializer;

import org.junit.jupiter.api.Tag;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import static org.awaitility.Awaitility.await;

/** The queue contract on Kafka: an embedded KRaft broker in this JVM, a topic per lane per test schema. */
@Tag("slow") // an embedded Kafka broker and service instances of its own
class KafkaBackendContractTest extends QueueBackendContract {

    private EmbeddedKafkaKraftBroker broker;

    @Override
    protected Map<String, String> backendProperties(String isolation) {
        if (broker == null) {
            broker = new EmbeddedKafkaKraftBroker(1, 12);
            broker.afterPropertiesSet();
        }
        return Map.of("conveyor.queue.backend", "kafka",
                "conveyor.queue.kafka.brokers", broker.getBrokersAsString(),
                "conveyor.queue.kafka.topic-prefix", isolation + ".",
                "conveyor.queue.kafka.partitions", "12");
    }

    @Override
    protected boolean deadLetterLaneHolds(ConveyorInstance instance, String isolation, String jobId) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                ConsumerConfig.GROUP_ID_CONFIG, "dead-letter-check-" + java.util.UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(java.util.List.of(isolation + ".dead-letter"));
            for (int poll = 0; poll < 10; poll++) {
                for (var record : consumer.poll(java.time.Duration.ofMillis(500))) {
                    if (jobId.equals(record.value())) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /**
     * Every lane's consumer group STABLE with all its consumers (application.yaml's Kafka defaults: 4, 8, 2, 1), each
     * holding partitions. Consumers that join a group at slightly different times make it rebalance again a few
     * seconds after the service is ready, and a lane whose group rebalances takes nothing meanwhile.
     */
    @Override
    protected void awaitLanesSettled(String isolation) {
        Map<String, Integer> consumers = Map.of("high", 4, "normal", 8, "low", 2, "bulk", 1);
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.getBrokersAsString()))) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                for (Map.Entry<String, Integer> lane : consumers.entrySet()) {
                    String group = isolation + "." + lane.getKey();
                    ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get()
                            .get(group);
                    if (description.state() != ConsumerGroupState.STABLE
                            || description.members().size() != lane.getValue()
                            || description.members().stream()
                                    .anyMatch(member -> member.assignment().topicPartitions().isEmpty())) {
                        return false;
                    }
                }
                return true;
            });
        }
    }

    @Override
    protected void stopBackend() {
        if (broker != null) {
            broker.destroy();
        }
    }
}
