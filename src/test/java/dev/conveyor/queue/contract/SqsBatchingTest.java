package dev.conveyor.queue.contract;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.queue.SqsDeletes;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorInstance;
import dev.conveyor.support.TcpForwarder;
import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedProcessorMBean;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The SQS backend publishes and acknowledges in batches: a lane's due jobs leave as sets, a message each, in
 * SendMessageBatch requests of up to 10 messages; finished sets' messages are deleted in DeleteMessageBatch requests, and a
 * publish that fails hands the whole batch back to the table, from where it is published again once SQS answers.
 */
@Tag("slow") // an embedded SQS (ElasticMQ) and a service instance of its own
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqsBatchingTest {

    private SQSRestServer elasticMq;
    private String endpoint;
    private int elasticMqPort;
    private final List<String> schemas = new ArrayList<>();

    @BeforeAll
    void startElasticMq() {
        elasticMq = SQSRestServerBuilder.withDynamicPort().withInterface("localhost").start();
        elasticMqPort = elasticMq.waitUntilStarted().localAddress().getPort();
        endpoint = "http://localhost:" + elasticMqPort;
    }

    @AfterAll
    void stopElasticMq() {
        if (elasticMq != null) {
            elasticMq.stopAndWait();
        }
        schemas.forEach(ConveyorInstance::dropSchema);
    }

    @Test
    void aLanesBatchLeavesInSendMessageBatchesAsSetsDealtOverTheLanesConsumers() {
        String schema = schema();
        try (ConveyorInstance instance = ConveyorInstance.start("sqs-batch", schema, properties(schema, endpoint))) {
            CamelContext camel = instance.bean(CamelContext.class);
            // no worker takes the messages, so they can be counted on the queue
            stopRoute(camel, "worker-normal");
            QueueBackendContract.insertDueJobs(instance.jdbc(), 25, "normal", "sqs-batch", 0);

            await().atMost(Duration.ofSeconds(30)).until(() -> instance.jdbc().queryForObject(
                    "SELECT count(*) FROM jobs WHERE marketplace = 'sqs-batch' AND dispatched_at IS NOT NULL",
                    Long.class) == 25);
            SqsClient sqs = instance.bean(SqsClient.class);
            String url = sqs.getQueueUrl(b -> b.queueName(schema + "-normal")).queueUrl();
            List<String> ids = instance.jdbc().queryForList(
                    "SELECT job_id FROM jobs WHERE marketplace = 'sqs-batch'", String.class);
            List<Message> messages = receiveAll(sqs, url, ids.size());

            // every job in exactly one message; a message is a set dealt over the lane's 16 consumers, at most
            // jobs-per-message (10): 25 jobs due in one round are 13 sets of 1 or 2, never a message per job
            List<String> carried = messages.stream().flatMap(m -> List.of(m.body().split(",")).stream()).toList();
            assertThat(carried).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(messages).allSatisfy(m -> assertThat(m.body().split(",")).hasSizeLessThanOrEqualTo(2));
            assertThat(messages).hasSizeLessThan(25);
            assertThat(messages).allSatisfy(m ->
                    assertThat(m.messageAttributes().get("lane").stringValue()).isEqualTo("normal"));
            // the sets left in SendMessageBatch requests of at most 10 messages
            long publishes = processor(camel, "publish-normal").getExchangesCompleted();
            assertThat(publishes).isBetween((messages.size() + 9) / 10L, (long) messages.size());
        }
    }

    @Test
    void finishedJobsMessagesAreDeletedInBatchesAndNoJobRunsTwice() {
        String schema = schema();
        try (ConveyorInstance instance = ConveyorInstance.start("sqs-deletes", schema, properties(schema, endpoint))) {
            int count = 200;
            QueueBackendContract.insertDueJobs(instance.jdbc(), count, "normal", "sqs-deletes", 0);
            QueueBackendContract.awaitAllFinished(instance.jdbc(), "sqs-deletes", count, Duration.ofSeconds(120));
            QueueBackendContract.assertExactlyOnce(instance.jdbc(), "sqs-deletes", count);

            SqsClient sqs = instance.bean(SqsClient.class);
            String url = sqs.getQueueUrl(b -> b.queueName(schema + "-normal")).queueUrl();
            await().atMost(Duration.ofSeconds(10)).until(() -> queuedMessages(sqs, url) == 0);
            SqsDeletes deletes = instance.bean(SqsDeletes.class);
            // a deletion is counted when SQS's answer is back, which can be a moment after the queue shows the
            // message gone (a busy machine: one CI run read 15 of them while the last requests were answered)
            await().atMost(Duration.ofSeconds(10)).until(() -> deletes.counters()[1] >= count / 10);
            long[] counters = deletes.counters();
            assertThat(counters[2]).as("deletions refused").isZero();
            // 200 jobs travelled in sets (at most 10 a message), each message deleted once its set was done
            assertThat(counters[1]).as("messages deleted for %d jobs", count).isBetween((long) count / 10, count - 1L);
            assertThat(counters[0]).as("DeleteMessageBatch requests for %d messages", counters[1])
                    .isLessThanOrEqualTo(counters[1]);
        }
    }

    @Test
    void aFailedPublishHandsTheWholeBatchBackAndItRunsOnceSqsAnswersAgain() throws Exception {
        String schema = schema();
        int port = freePort();
        TcpForwarder forwarder = TcpForwarder.start(port, "localhost", elasticMqPort);
        try (ConveyorInstance instance = ConveyorInstance.start("sqs-outage", schema,
                properties(schema, "http://localhost:" + port))) {
            Api api = instance.api();
            // SQS stops answering; then 30 jobs fall due
            forwarder.close();
            QueueBackendContract.insertDueJobs(instance.jdbc(), 30, "normal", "sqs-outage", 0);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode health = Api.json(api.get("/actuator/health"));
                assertThat(health.at("/components/queueBackend/details/lastPublishFailure").asText()).isNotBlank();
            });
            // the failed rounds gave every job back: none is left marked published, none ran
            await().atMost(Duration.ofSeconds(30)).until(() -> instance.jdbc().queryForObject(
                    "SELECT count(*) FROM jobs WHERE marketplace = 'sqs-outage' AND status = 'QUEUED' "
                            + "AND attempts = 0 AND dispatched_at IS NULL", Long.class) == 30);

            forwarder = TcpForwarder.start(port, "localhost", elasticMqPort);
            QueueBackendContract.awaitAllFinished(instance.jdbc(), "sqs-outage", 30, Duration.ofSeconds(120));
            QueueBackendContract.assertExactlyOnce(instance.jdbc(), "sqs-outage", 30);
        } finally {
            forwarder.close();
        }
    }

    private Map<String, String> properties(String schema, String sqsEndpoint) {
        return Map.of("conveyor.queue.backend", "sqs",
                "conveyor.queue.sqs.endpoint", sqsEndpoint,
                "conveyor.queue.sqs.queue-prefix", schema + "-",
                // short long-polls, so the outage test's consumers notice SQS is back quickly
                "conveyor.queue.sqs.wait-time-seconds", "1");
    }

    private String schema() {
        String schema = ConveyorInstance.newSchema();
        schemas.add(schema);
        return schema;
    }

    static void stopRoute(CamelContext camel, String routeId) {
        try {
            camel.getRouteController().stopRoute(routeId);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ManagedProcessorMBean processor(CamelContext camel, String id) {
        return camel.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class).getManagedProcessor(id);
    }

    private static long visibleMessages(SqsClient sqs, String url) {
        return Long.parseLong(sqs.getQueueAttributes(b -> b.queueUrl(url)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    private static long queuedMessages(SqsClient sqs, String url) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    private static List<Message> receiveAll(SqsClient sqs, String url, int jobs) {
        List<Message> all = new ArrayList<>();
        for (int round = 0; round < 20 && all.stream().mapToInt(m -> m.body().split(",").length).sum() < jobs; round++) {
            all.addAll(sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .visibilityTimeout(60).messageAttributeNames("All")).messages());
        }
        return all;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
