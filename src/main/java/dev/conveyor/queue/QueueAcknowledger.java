package dev.conveyor.queue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.sqs.Sqs2Constants;
import org.apache.camel.component.aws2.sqs.Sqs2Endpoint;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Tells the lane's backend a message is dealt with, once the worker has finished (or handed back) its job; called by
 * the worker routes after the job, never before.
 * <ul>
 * <li>Kafka: the message is a poll's records ({@link DeliveredJobs}); once its set is done, each partition's offset
 * after its highest record is committed, with one asynchronous commit ({@link #commitPoll}), so no offset is
 * committed before its job is done. A crash before the commit redelivers the records, and the claim makes the
 * redelivery harmless.</li>
 * <li>SQS: the message's deletion is queued for a DeleteMessageBatch ({@link SqsDeletes}); the lane consumers do not
 * delete on completion ({@code deleteAfterRead=false}). An endpoint that does ({@code deleteAfterRead=true}) is left
 * to it.</li>
 * <li>SEDA needs nothing.</li>
 * </ul>
 */
@Component("queueAcknowledger")
public class QueueAcknowledger {

    private static final Logger log = LoggerFactory.getLogger(QueueAcknowledger.class);

    private final ObjectProvider<SqsDeletes> sqsDeletesProvider;
    private volatile SqsDeletes sqsDeletes;

    public QueueAcknowledger(ObjectProvider<SqsDeletes> sqsDeletes) {
        this.sqsDeletesProvider = sqsDeletes;
    }

    public void acknowledge(Exchange exchange) {
        List<?> recordCommits = exchange.getMessage().getHeader(DeliveredJobs.RECORD_COMMITS, List.class);
        if (recordCommits != null) {
            commitPoll(recordCommits);
            return;
        }
        KafkaManualCommit commit = exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT,
                KafkaManualCommit.class);
        if (commit != null) {
            commit.commit();
            return;
        }
        String receiptHandle = exchange.getMessage().getHeader(Sqs2Constants.RECEIPT_HANDLE, String.class);
        if (receiptHandle != null) {
            Endpoint from = exchange.getFromEndpoint();
            if (from instanceof Sqs2Endpoint sqs && !sqs.getConfiguration().isDeleteAfterRead()) {
                deletes().delete(sqs.getConfiguration().getQueueName(), receiptHandle);
            }
        }
    }

    /**
     * A Kafka poll's records, done: each partition's offset after its highest record, in one asynchronous commit. The
     * batching consumer runs the poll's message on its own polling thread, the only one that may use its Kafka
     * consumer, and nothing in camel-kafka's batching mode commits the offsets that manual commits note (its streaming
     * mode does, per partition), so the commit is made here; its answer arrives with a later poll.
     */
    private static void commitPoll(List<?> recordCommits) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        Consumer<?, ?> consumer = null;
        for (Object each : recordCommits) {
            if (each instanceof DefaultKafkaManualCommit record) {
                consumer = record.getConsumer();
                next.merge(record.getPartition(), new OffsetAndMetadata(record.getRecordOffset() + 1),
                        (one, other) -> one.offset() >= other.offset() ? one : other);
            } else {
                // a manual commit of another factory: left to it
                ((KafkaManualCommit) each).commit();
            }
        }
        if (consumer != null) {
            consumer.commitAsync(next, (offsets, failure) -> {
                if (failure != null) {
                    // the records come again after a restart or a rebalance, and their claims drop them
                    log.warn("committing the offsets {} failed: {}", offsets, failure.toString());
                }
            });
        }
    }

    /** Looked up once: this runs after every job. */
    private SqsDeletes deletes() {
        SqsDeletes deletes = sqsDeletes;
        if (deletes == null) {
            deletes = sqsDeletesProvider.getObject();
            sqsDeletes = deletes;
        }
        return deletes;
    }
}
