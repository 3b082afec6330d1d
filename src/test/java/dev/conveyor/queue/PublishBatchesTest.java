package dev.conveyor.queue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.ConveyorProperties.LaneRule;
import dev.conveyor.config.ConveyorProperties.Routing;
import dev.conveyor.config.QueueBackend;
import dev.conveyor.config.QueueProperties;
import dev.conveyor.job.DueJob;
import dev.conveyor.job.Priority;
import dev.conveyor.queue.JobDispatcher.Publish;
import dev.conveyor.worker.AttemptDurations;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a dispatcher round's batch is cut into publishes, and what each publish carries, per backend. */
class PublishBatchesTest {

    private final CamelContext camel = new DefaultCamelContext();
    private final AttemptDurations durations = new AttemptDurations();

    @AfterEach
    void tearDown() {
        camel.stop();
    }

    @Test
    void memoryDealsALanesJobsOverItsConsumersAsSetsMostUrgentFirst() throws Exception {
        // as in application.yaml: the normal lane consumed by 4 workers, the high lane by 2
        camel.addRoutes(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() {
                from("seda:conveyor.normal?concurrentConsumers=4").to("mock:normal");
                from("seda:conveyor.high?concurrentConsumers=2").to("mock:high");
            }
        });
        camel.start();
        List<DueJob> batch = IntStream.rangeClosed(1, 12)
                .mapToObj(i -> job(i, i == 2 || i == 5 ? Priority.HIGH : Priority.NORMAL)).toList();
        List<Publish> publishes = dispatcher(QueueBackend.MEMORY).publishes(batch);
        // normal: 10 jobs over 4 workers, 3 at most to a set, dealt so that the 4 most urgent start together
        assertThat(publishes).extracting(Publish::lane).containsExactly("normal", "normal", "normal", "normal",
                "high", "high");
        assertThat(publishes.get(0).jobs()).extracting(DueJob::jobId).containsExactly("job_1", "job_7", "job_11");
        assertThat(publishes.get(1).jobs()).extracting(DueJob::jobId).containsExactly("job_3", "job_8", "job_12");
        assertThat(publishes.get(2).jobs()).extracting(DueJob::jobId).containsExactly("job_4", "job_9");
        assertThat(publishes.get(3).jobs()).extracting(DueJob::jobId).containsExactly("job_6", "job_10");
        // high: 2 jobs, 2 workers: each its own set, neither waits for the other
        assertThat(publishes.get(4).jobs()).extracting(DueJob::jobId).containsExactly("job_2");
        assertThat(publishes.get(5).jobs()).extracting(DueJob::jobId).containsExactly("job_5");

        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader("CamelTimerCounter", 7);
        dispatcher(QueueBackend.MEMORY).prepareMessage(publishes.get(0), exchange);
        assertThat(exchange.getMessage().getBody(List.class)).containsExactly("job_1", "job_7", "job_11");
        assertThat(exchange.getMessage().getHeaders()).containsOnlyKeys("lane").containsEntry("lane", "normal");
    }

    @Test
    void shortJobsAreDealtIntoFewerSetsEachWorthAMessage() throws Exception {
        camel.addRoutes(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() {
                from("seda:conveyor.normal?concurrentConsumers=32").to("mock:normal");
            }
        });
        camel.start();
        List<DueJob> forty = IntStream.rangeClosed(1, 40).mapToObj(i -> job(i, Priority.NORMAL)).toList();
        JobDispatcher dispatcher = dispatcher(QueueBackend.MEMORY);
        // a type never run here: each job counts a set's worth, spread over every consumer as before
        assertThat(dispatcher.sets(forty, 32)).isEqualTo(32);
        // about 1 ms an attempt: 40 ms of work fills two sets of at least 20 ms
        for (int i = 0; i < 50; i++) {
            durations.record("csv_validation", 1_000_000);
        }
        assertThat(dispatcher.sets(forty, 32)).isEqualTo(2);
        List<Publish> publishes = dispatcher.publishes(forty);
        assertThat(publishes).hasSize(2).allSatisfy(publish -> assertThat(publish.jobs()).hasSize(20));
        // a lone short job is still a set of its own, sent at once
        assertThat(dispatcher.sets(forty.subList(0, 1), 32)).isEqualTo(1);
        // the same type slowing to 100 ms an attempt: one set a job again, as many as there are consumers
        for (int i = 0; i < 100; i++) {
            durations.record("csv_validation", 100_000_000);
        }
        assertThat(dispatcher.sets(forty, 32)).isEqualTo(32);
        assertThat(dispatcher.sets(forty.subList(0, 5), 32)).isEqualTo(5);
    }

    @Test
    void aLoneJobIsASetOfOne() {
        List<DueJob> one = List.of(job(1, Priority.NORMAL));
        assertThat(JobDispatcher.dealt(one, 32)).hasSize(1).allSatisfy(set -> assertThat(set).hasSize(1));
        assertThat(JobDispatcher.dealt(IntStream.rangeClosed(1, 5).mapToObj(i -> job(i, Priority.NORMAL)).toList(), 1))
                .singleElement().satisfies(set -> assertThat(set).hasSize(5));
    }

    @Test
    void kafkaPublishesALanesJobsTogetherAsRecordsWithTheirOwnKeys() {
        List<DueJob> batch = IntStream.rangeClosed(1, 250)
                .mapToObj(i -> job(i, i % 50 == 0 ? Priority.HIGH : Priority.NORMAL)).toList();
        List<Publish> publishes = dispatcher(QueueBackend.KAFKA).publishes(batch);
        assertThat(publishes).extracting(Publish::lane).containsExactly("normal", "high");
        assertThat(publishes.get(0).jobs()).hasSize(245);
        assertThat(publishes.get(1).jobs()).hasSize(5);

        Exchange exchange = new DefaultExchange(camel);
        dispatcher(QueueBackend.KAFKA).prepareMessage(publishes.get(1), exchange);
        assertThat(exchange.getMessage().getHeader("lane")).isEqualTo("high");
        List<?> records = exchange.getMessage().getBody(List.class);
        assertThat(records).hasSize(5);
        Message first = (Message) records.get(0);
        assertThat(first.getBody()).isEqualTo("job_50");
        assertThat(first.getHeaders()).containsEntry("jobId", "job_50").containsEntry("lane", "high")
                .containsEntry(JobDispatcher.KAFKA_KEY, "m:c2").containsEntry("partitionKey", "m:c2");
    }

    @Test
    void sqsPublishesALanesJobsAsSetsOfAtMostTenTenMessagesToASendMessageBatch() {
        // no consumer in this context: the lane counts as one consumer, so the sets are as large as allowed
        List<DueJob> batch = IntStream.rangeClosed(1, 23).mapToObj(i -> job(i, Priority.NORMAL)).toList();
        List<Publish> publishes = dispatcher(QueueBackend.SQS).publishes(batch);
        assertThat(publishes).singleElement().satisfies(publish ->
                assertThat(publish.messages()).extracting(List::size).containsExactly(8, 8, 7));

        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader("jobId", "stale");
        dispatcher(QueueBackend.SQS).prepareMessage(publishes.get(0), exchange);
        List<?> bodies = exchange.getMessage().getBody(List.class);
        assertThat(bodies).hasSize(3);
        // dealt as cards: the first three jobs start on three consumers at once
        assertThat(bodies.get(0)).isEqualTo("job_1,job_4,job_7,job_10,job_13,job_16,job_19,job_22");
        assertThat(bodies.get(2)).isEqualTo("job_3,job_6,job_9,job_12,job_15,job_18,job_21");
        // the exchange's headers become every message's attributes: the lane only
        assertThat(exchange.getMessage().getHeaders()).containsOnlyKeys("lane");

        List<DueJob> many = IntStream.rangeClosed(1, 250).mapToObj(i -> job(i, Priority.NORMAL)).toList();
        assertThat(dispatcher(QueueBackend.SQS).publishes(many)).extracting(p -> p.messages().size())
                .containsExactly(10, 10, 5);
        assertThat(dispatcher(QueueBackend.SQS).publishes(many)).flatExtracting(Publish::messages)
                .allSatisfy(set -> assertThat(set).hasSize(10));
    }

    @Test
    void aSendMessageBatchWithARefusedEntryIsAFailedPublish() {
        JobDispatcher dispatcher = dispatcher(QueueBackend.SQS);
        Exchange accepted = new DefaultExchange(camel);
        accepted.getMessage().setBody(SendMessageBatchResponse.builder()
                .successful(SendMessageBatchResultEntry.builder().id("0").messageId("m0").build()).build());
        assertThatCode(() -> dispatcher.checkPublished(accepted)).doesNotThrowAnyException();

        Exchange partly = new DefaultExchange(camel);
        partly.getMessage().setBody(SendMessageBatchResponse.builder()
                .successful(SendMessageBatchResultEntry.builder().id("0").messageId("m0").build())
                .failed(BatchResultErrorEntry.builder().id("1").code("InternalError").senderFault(false)
                        .message("try again").build()).build());
        assertThatThrownBy(() -> dispatcher.checkPublished(partly)).hasMessageContaining("InternalError");
    }

    private static DueJob job(int n, Priority priority) {
        return new DueJob("job_" + n, "csv_validation", priority, 10, "m", "c" + (n % 3), null);
    }

    private JobDispatcher dispatcher(QueueBackend backend) {
        ConveyorProperties properties = new ConveyorProperties(Path.of("data"), Path.of("schemas"), "default", "test",
                null, null, new ConveyorProperties.Dispatcher(200, 1000, 300, 200, 20), null,
                new Routing("normal", List.of(new LaneRule("high", null, "high", null))), null, null, null, null, null,
                null, null, java.util.Map.of(), null);
        QueueProperties queue = new QueueProperties(backend, null,
                new QueueProperties.Sqs("", "us-east-1", "p-", 120, false, 9324, 10, 10, 10, 20, 2, "", ""), null, null);
        return new JobDispatcher(camel, null, new LaneRouter(properties), new LaneBacklog(camel, backend), null, null,
                properties, queue, null, durations);
    }
}
