package dev.conveyor.queue.contract;

import java.util.Map;

import dev.conveyor.support.ConveyorInstance;
import software.amazon.awssdk.services.sqs.SqsClient;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.Tag;

/** The queue contract on SQS: an embedded ElasticMQ in this JVM, a queue per lane per test schema. */
@Tag("slow") // an embedded SQS (ElasticMQ) and service instances of its own
class SqsBackendContractTest extends QueueBackendContract {

    private SQSRestServer elasticMq;
    private String endpoint;

    @Override
    protected Map<String, String> backendProperties(String isolation) {
        if (elasticMq == null) {
            elasticMq = SQSRestServerBuilder.withDynamicPort().withInterface("localhost").start();
            endpoint = "http://localhost:" + elasticMq.waitUntilStarted().localAddress().getPort();
        }
        return Map.of("conveyor.queue.backend", "sqs",
                "conveyor.queue.sqs.endpoint", endpoint,
                "conveyor.queue.sqs.queue-prefix", isolation + "-",
                // short long-polls: an instance's shutdown waits for its consumers' receives in flight, 10 s each
                // at the default; nothing in the contract depends on how long an empty receive waits
                "conveyor.queue.sqs.wait-time-seconds", "1");
    }

    @Override
    protected boolean deadLetterLaneHolds(ConveyorInstance instance, String isolation, String jobId) {
        SqsClient sqs = instance.bean(SqsClient.class);
        String url = sqs.getQueueUrl(b -> b.queueName(isolation + "-dead-letter")).queueUrl();
        return sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)
                        .visibilityTimeout(0)).messages().stream().anyMatch(m -> jobId.equals(m.body()));
    }

    @Override
    protected void stopBackend() {
        if (elasticMq != null) {
            elasticMq.stopAndWait();
        }
    }
}
