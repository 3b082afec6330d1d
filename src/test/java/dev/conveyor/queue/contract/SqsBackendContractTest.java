package dev.conveyor.queue.contract;

import java.util.Map;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/** The queue contract on SQS: an embedded ElasticMQ in this JVM, a queue per lane per test schema. */
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
                "conveyor.queue.sqs.queue-prefix", isolation + "-");
    }

    @Override
    protected void stopBackend() {
        if (elasticMq != null) {
            elasticMq.stopAndWait();
        }
    }
}
