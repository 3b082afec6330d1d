package dev.conveyor.queue.contract;

import java.util.Map;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** The queue contract on Kafka: an embedded KRaft broker in this JVM, a topic per lane per test schema. */
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
    protected void stopBackend() {
        if (broker != null) {
            broker.destroy();
        }
    }
}
