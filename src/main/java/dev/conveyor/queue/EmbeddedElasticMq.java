package dev.conveyor.queue;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts ElasticMQ (the SQS API) inside the service for {@code SQS_EMBEDDED=true}. The only class that uses
 * ElasticMQ's own, so that a build without ElasticMQ (conveyor-production.jar) never loads them.
 */
final class EmbeddedElasticMq {

    private static final Logger log = LoggerFactory.getLogger(SqsConfig.class);

    private EmbeddedElasticMq() {
    }

    static SqsConfig.EmbeddedSqs start(int port) {
        SQSRestServer server = SQSRestServerBuilder.withPort(port).withInterface("localhost").start();
        int actual = server.waitUntilStarted().localAddress().getPort();
        log.info("started an embedded ElasticMQ (SQS API) at http://localhost:{}", actual);
        return new SqsConfig.EmbeddedSqs(server::stopAndWait, "http://localhost:" + actual);
    }
}
