package dev.conveyor.queue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualAsyncCommitFactory;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job ids a lane's message carries on each backend, and a Kafka poll's records acknowledged together: every
 * partition's offset committed once the set is done (Kafka's own MockConsumer stands in for a broker here; the
 * commits against a real one are KafkaBatchingTest's and the Kafka contract's).
 */
class DeliveredJobsTest {

    private final CamelContext camel = new DefaultCamelContext();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DeliveredJobs delivered = new DeliveredJobs(registry);

    @AfterEach
    void tearDown() {
        camel.stop();
    }

    @Test
    void aMemorySetIsItsListOfIds() {
        assertThat(delivered.ids(message(List.of("job_1", "job_2")), "normal")).containsExactly("job_1", "job_2");
    }

    @Test
    void anSqsSetIsItsIdsJoinedByCommasAndALoneIdIsASetOfOne() {
        assertThat(delivered.ids(message("job_1,job_2,job_3"), "normal")).containsExactly("job_1", "job_2", "job_3");
        assertThat(delivered.ids(message("job_9"), "normal")).containsExactly("job_9");
        assertThat(delivered.ids(message("job_9".getBytes(StandardCharsets.UTF_8)), "normal")).containsExactly("job_9");
        // a stray separator makes no empty id
        assertThat(delivered.ids(message("job_1,,job_2,"), "normal")).containsExactly("job_1", "job_2");
    }

    @Test
    void aKafkaPollIsItsRecordsIdsAndEachPartitionIsCommittedOnceTheSetIsDone() {
        MockConsumer<String, String> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
        TopicPartition p0 = new TopicPartition("jobs.normal", 0);
        TopicPartition p3 = new TopicPartition("jobs.normal", 3);
        consumer.assign(List.of(p0, p3));
        List<Exchange> records = List.of(record("job_1", p0, 7, consumer), record("job_2", p3, 2, consumer),
                record("job_3", p0, 8, consumer));
        Exchange poll = message(records);
        // camel-kafka puts the last record's commit on the poll's message: on its own it would leave p3 uncommitted
        poll.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT,
                records.get(2).getMessage().getHeader(KafkaConstants.MANUAL_COMMIT));

        assertThat(delivered.ids(poll, "high")).containsExactly("job_1", "job_2", "job_3");
        assertThat(consumer.committed(Set.of(p0, p3))).as("nothing is committed before the set is done")
                .allSatisfy((partition, offset) -> assertThat(offset).isNull());

        poll.getMessage().setBody("the set's outcomes, as the worker route leaves them");
        new QueueAcknowledger(null).acknowledge(poll);
        // each partition's next offset: after record 8 of p0 (not 7), after record 2 of p3
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.of(p0, p3));
        assertThat(committed.get(p0).offset()).isEqualTo(9);
        assertThat(committed.get(p3).offset()).isEqualTo(3);
    }

    @Test
    void theIdsDeliveredAreCountedPerLane() {
        delivered.ids(message(List.of("job_1", "job_2")), "normal");
        delivered.ids(message("job_3,job_4,job_5"), "normal");
        delivered.ids(message("job_6"), "high");
        assertThat(registry.get(DeliveredJobs.DELIVERED).tag("lane", "normal").counter().count()).isEqualTo(5);
        assertThat(registry.get(DeliveredJobs.DELIVERED).tag("lane", "high").counter().count()).isEqualTo(1);
    }

    private Exchange message(Object body) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    private Exchange record(String jobId, TopicPartition partition, long offset, MockConsumer<?, ?> consumer) {
        Exchange record = message(jobId);
        KafkaManualCommit commit = new DefaultKafkaManualAsyncCommitFactory().newInstance(
                new KafkaManualCommitFactory.CamelExchangePayload(record, consumer, "test", null),
                new KafkaManualCommitFactory.KafkaRecordPayload(partition, offset, 1000), null);
        record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, commit);
        return record;
    }
}
