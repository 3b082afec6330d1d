package dev.conveyor.queue;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.springframework.stereotype.Component;

/**
 * Tells the lane's backend a message is dealt with, once the worker has finished (or handed back) its job.
 * Kafka: commits the record's offset (auto-commit is off, so a crash before this redelivers the record,
 * and the claim makes the redelivery harmless). SQS deletes on completion and SEDA needs nothing.
 */
@Component("queueAcknowledger")
public class QueueAcknowledger {

    public void acknowledge(Exchange exchange) {
        KafkaManualCommit commit = exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT,
                KafkaManualCommit.class);
        if (commit != null) {
            commit.commit();
        }
    }
}
