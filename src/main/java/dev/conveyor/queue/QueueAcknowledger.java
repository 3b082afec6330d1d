package dev.conveyor.queue;

import java.util.List;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.sqs.Sqs2Constants;
import org.apache.camel.component.aws2.sqs.Sqs2Endpoint;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Tells the lane's backend a message is dealt with, once the worker has finished (or handed back) its job; called by
 * the worker routes after the job, never before.
 * <ul>
 * <li>Kafka: the manual commit of each record of the message (a poll's records, {@link DeliveredJobs}). The lane
 * consumers use camel-kafka's asynchronous commit manager, so this only records the offsets; the consumer commits its
 * partitions' offsets once per poll, asynchronously, after the poll's records were processed — and processing them
 * includes this call, so no offset is committed before its job is done. A crash before the commit redelivers the records, and the claim makes the redelivery harmless.</li>
 * <li>SQS: the message's deletion is queued for a DeleteMessageBatch ({@link SqsDeletes}); the lane consumers do not
 * delete on completion ({@code deleteAfterRead=false}). An endpoint that does ({@code deleteAfterRead=true}) is left
 * to it.</li>
 * <li>SEDA needs nothing.</li>
 * </ul>
 */
@Component("queueAcknowledger")
public class QueueAcknowledger {

    private final ObjectProvider<SqsDeletes> sqsDeletesProvider;
    private volatile SqsDeletes sqsDeletes;

    public QueueAcknowledger(ObjectProvider<SqsDeletes> sqsDeletes) {
        this.sqsDeletesProvider = sqsDeletes;
    }

    public void acknowledge(Exchange exchange) {
        List<?> recordCommits = exchange.getMessage().getHeader(DeliveredJobs.RECORD_COMMITS, List.class);
        if (recordCommits != null) {
            // a Kafka poll's records, possibly of several partitions: each notes its offset, the consumer commits
            // every partition's highest once
            recordCommits.forEach(commit -> ((KafkaManualCommit) commit).commit());
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
