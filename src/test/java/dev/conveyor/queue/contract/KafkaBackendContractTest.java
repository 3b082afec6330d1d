package dev.conveyor.queue.contract;

import java.util.Map;

import dev.conveyor.support.ConveyorInstance;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import org.junit.jupiter.api.Tag;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

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

    @Override
    protected void stopBackend() {
        if (broker != null) {
            broker.destroy();
        }
    }
}
