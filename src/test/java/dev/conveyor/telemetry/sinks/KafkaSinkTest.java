package dev.conveyor.telemetry.sinks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorInstance;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.telemetry.EventSchemas;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Kafka sink against an embedded KRaft broker in this JVM (the queue backend stays in memory): every
 * lifecycle event of the jobs reaches the topic once, keyed by its partition_key, and keeps its schema.
 */
@Tag("slow") // an embedded Kafka broker and a service instance of its own
class KafkaSinkTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachJobsEventsArriveOnTheTopicKeyedByPartitionKey() {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 3);
        broker.afterPropertiesSet();
        String schema = ConveyorInstance.newSchema();
        String topic = schema + ".events";
        // created up front, as in production: a topic auto-created by the first send can expire a record of that
        // send while its leader is elected, and the batch sent again then duplicates the others (documented)
        broker.addTopics(topic);
        try (ConveyorInstance instance = ConveyorInstance.start("kafka-sink", schema, Map.of(
                "conveyor.telemetry.sinks.kafka.enabled", "true",
                "conveyor.telemetry.sinks.kafka.brokers", broker.getBrokersAsString(),
                "conveyor.telemetry.sinks.kafka.topic", topic,
                "conveyor.telemetry.sinks.flush-interval-ms", "100"))) {
            Api api = instance.api();
            String toys = api.submit(CsvJobs.inline("acme", "toys", CsvJobs.CLEAN));
            String books = api.submit(CsvJobs.inline("globex", "books", CsvJobs.TWO_BAD_ROWS));
            assertThat(api.awaitFinished(toys).get("status").asText()).isEqualTo("SUCCESS");
            assertThat(api.awaitFinished(books).get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
            Map<String, String> expectedKeys = new HashMap<>();
            for (String jobId : List.of(toys, books)) {
                for (String eventId : HttpSinkTest.storedEventIds(instance, jobId)) {
                    expectedKeys.put(eventId, jobId.equals(toys) ? "acme:toys" : "globex:books");
                }
            }
            assertThat(expectedKeys).hasSize(6);

            List<ConsumerRecord<String, String>> records = consume(broker, topic, expectedKeys.size());

            EventSchemas schemas = EventSchemas.load(Path.of("schemas"));
            Map<String, String> keys = new HashMap<>();
            for (ConsumerRecord<String, String> record : records) {
                JsonNode event = parse(record.value());
                assertThat(schemas.violations(event)).as(record.value()).isEmpty();
                assertThat(record.key()).isEqualTo(event.get("partition_key").asText());
                keys.put(event.get("event_id").asText(), record.key());
            }
            assertThat(records).as("each event once").hasSize(expectedKeys.size());
            assertThat(keys).isEqualTo(expectedKeys);
            assertThat(instance.bean(EventSinks.class).backlog("kafka")).isZero();
        } finally {
            broker.destroy();
            ConveyorInstance.dropSchema(schema);
        }
    }

    /** Reads the topic from the start until {@code expected} records came, and a little more for any extra. */
    private static List<ConsumerRecord<String, String>> consume(EmbeddedKafkaKraftBroker broker, String topic,
                                                                int expected) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                ConsumerConfig.GROUP_ID_CONFIG, "events-check-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                return records.size() >= expected;
            });
            // a duplicate would come right behind
            consumer.poll(Duration.ofMillis(1000)).forEach(records::add);
        }
        return records;
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
