package dev.conveyor.queue.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.Priority;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorInstance;
import dev.conveyor.support.RouteSignals;
import dev.conveyor.worker.FlakyProcessor;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The queue contract, written once and run against every backend with a real broker in this JVM: jobs
 * finish exactly once, priorities are honoured, a duplicate message runs nothing twice, a restart loses
 * nothing, two instances share the work without doing any job twice, and a paused lane holds its jobs QUEUED
 * (across a restart) until a resume runs them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class QueueBackendContract {

    private static final String PAYLOAD = "{\"marketplace\":\"contract\",\"category\":\"toys\",\"csv\":"
            + "\"sku,title,price,quantity\\nA-1,Ball,1.00,1\\n\"}";

    private final List<String> schemas = new ArrayList<>();
    private ConveyorInstance shared;
    private String sharedSchema;

    /** The settings that select and reach this backend; {@code isolation} keeps topics/queues apart. */
    protected abstract Map<String, String> backendProperties(String isolation);

    /** Whether the backend's dead-letter lane holds a message for the job (read from the broker itself). */
    protected abstract boolean deadLetterLaneHolds(ConveyorInstance instance, String isolation, String jobId);

    /** Stops the broker, after every instance using it has stopped. */
    protected abstract void stopBackend();

    /**
     * Waits until every lane's consumers of a fresh instance take messages: a backend whose consumers join groups
     * (Kafka) has them settle first, so a test that times lanes against each other does not time a rebalance.
     */
    protected void awaitLanesSettled(String isolation) {
    }

    @BeforeAll
    void startSharedInstance() {
        sharedSchema = schema();
        shared = start("shared", sharedSchema);
        awaitLanesSettled(sharedSchema);
    }

    @AfterAll
    void stopEverything() {
        if (shared != null) {
            shared.close();
        }
        stopBackend();
        schemas.forEach(ConveyorInstance::dropSchema);
    }

    @Test
    void manyJobsAllFinishExactlyOnce() {
        int count = 300;
        insertDueJobs(shared.jdbc(), count, "normal", "many", 0);

        awaitAllFinished(shared.jdbc(), "many", count, Duration.ofSeconds(120));

        assertExactlyOnce(shared.jdbc(), "many", count);
    }

    @Test
    void aMessageDeliveredTwiceRunsTheJobOnce() throws Exception {
        // due in an hour, so only the two messages below can reach a worker
        Job job = shared.bean(JobLifecycle.class).submit(new NewJob("default", "csv_validation", "test",
                Priority.NORMAL, PAYLOAD.replace("contract", "twice"), 60, null, null, null, null, "twice", "toys",
                null, java.time.Instant.now().plusSeconds(3600), 3)).job();
        CamelContext camel = shared.bean(CamelContext.class);
        String lane = camel.resolvePropertyPlaceholders("{{conveyor.queue.lane.normal.publish}}");
        ProducerTemplate producer = camel.createProducerTemplate();
        NotifyBuilder bothTaken = RouteSignals.workerDoneWith(camel, job.jobId(), 2);
        producer.sendBodyAndHeader(lane, job.jobId(), "jobId", job.jobId());
        producer.sendBodyAndHeader(lane, job.jobId(), "jobId", job.jobId());

        // the worker routes are done with both deliveries: one ran the job, the other found nothing to claim
        assertThat(bothTaken.matches(60, TimeUnit.SECONDS)).as("both deliveries reached a worker").isTrue();
        assertThat(shared.jdbc().queryForObject("SELECT status FROM jobs WHERE job_id = ?", String.class,
                job.jobId())).isEqualTo("SUCCESS");
        assertThat(startedEvents(shared.jdbc(), job.jobId())).isEqualTo(1);
        assertThat(shared.jdbc().queryForObject("SELECT attempts FROM jobs WHERE job_id = ?", Integer.class,
                job.jobId())).isEqualTo(1);
        producer.stop();
    }

    @Test
    void exhaustedJobsReachTheBackendsDeadLetterLane() {
        FlakyProcessor.HEALTHY.set(false);
        String jobId = shared.api().submit("{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"transient\"}}");

        await().atMost(Duration.ofSeconds(60)).until(() -> shared.jdbc().queryForMap(
                "SELECT status, attempts, run_at, dispatched_at, errors::text FROM jobs WHERE job_id = ?", jobId),
                job -> "DEAD_LETTERED".equals(job.get("status")));

        assertThat(shared.jdbc().queryForObject("SELECT count(*) FROM dead_letters WHERE job_id = ?", Long.class,
                jobId)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetterLaneHolds(shared, sharedSchema, jobId));
    }

    @Test
    void highPriorityJobsDrainFirstUnderLoad() {
        insertDueJobs(shared.jdbc(), 600, "low", "prio", 2);
        insertDueJobs(shared.jdbc(), 30, "high", "prio", 2);

        awaitAllFinished(shared.jdbc(), "prio", 630, Duration.ofSeconds(180));

        Map<String, Object> order = shared.jdbc().queryForMap("""
                SELECT max(completed_at) FILTER (WHERE priority = 'high') AS last_high,
                       percentile_disc(0.5) WITHIN GROUP (ORDER BY completed_at)
                           FILTER (WHERE priority = 'low') AS median_low
                FROM jobs WHERE marketplace = 'prio'""");
        assertThat((java.sql.Timestamp) order.get("last_high")).as("last high job vs the median low job")
                .isBefore((java.sql.Timestamp) order.get("median_low"));
    }

    @Test
    void aRestartMidStreamLosesNothing() {
        String schema = schema();
        int count = 1500;
        try (ConveyorInstance first = start("before-restart", schema)) {
            insertDueJobs(first.jdbc(), count, "normal", "restart", 0);
            await().atMost(Duration.ofSeconds(60)).until(() -> finished(first.jdbc(), "restart") >= 20);
        }
        try (ConveyorInstance second = start("after-restart", schema)) {
            long finishedBefore = finished(second.jdbc(), "restart");
            assertThat(finishedBefore).as("the stop came mid-stream").isLessThan(count);

            awaitAllFinished(second.jdbc(), "restart", count, Duration.ofSeconds(180));
            assertExactlyOnce(second.jdbc(), "restart", count);
        }
    }

    @Test
    void twoInstancesShareTheWorkAndDoEveryJobOnce() {
        String schema = schema();
        int count = 2000;
        // Both dispatchers look for due jobs every 100 ms rather than every second: jobs inserted straight into the
        // table wake no dispatcher, and one instance that polls first can drain 2,000 short jobs (their sets filled by
        // their length) before the other's 1 s timer comes round, which shares nothing; this test is about two
        // instances that both take work
        Map<String, String> pollingOften = Map.of("conveyor.dispatcher.poll-interval-ms", "100");
        try (ConveyorInstance one = start("instance-one", schema, pollingOften);
             ConveyorInstance two = start("instance-two", schema, pollingOften)) {
            // due in a few seconds: time for a consumer group to settle with the second instance's consumers
            insertDueJobs(one.jdbc(), count, "normal", "pair", 5);

            awaitAllFinished(one.jdbc(), "pair", count, Duration.ofSeconds(300));

            assertExactlyOnce(one.jdbc(), "pair", count);
            Map<String, Long> byInstance = new LinkedHashMap<>();
            one.jdbc().query("SELECT claimed_by, count(*) AS jobs FROM jobs WHERE marketplace = 'pair' "
                    + "GROUP BY claimed_by", rs -> {
                byInstance.put(rs.getString("claimed_by"), rs.getLong("jobs"));
            });
            System.out.printf("%s: 2,000 jobs over two instances: %s%n", getClass().getSimpleName(), byInstance);
            assertThat(byInstance).containsOnlyKeys("instance-one", "instance-two");
        }
    }

    @Test
    void aPausedLaneHoldsItsJobsQueuedAcrossARestartAndAResumeRunsThemOnce() {
        String schema = schema();
        int count = 200;
        try (ConveyorInstance first = start("before-pause-restart", schema)) {
            assertThat(first.api().postJson("/lanes/normal/pause", "").statusCode()).isEqualTo(200);
            insertDueJobs(first.jdbc(), count, "normal", "paused", 0);

            // the dispatcher takes every one of them and holds it back, none reaches the backend
            await().atMost(Duration.ofSeconds(60)).until(() -> first.jdbc().queryForObject(
                    "SELECT count(*) FROM jobs WHERE marketplace = 'paused' AND dispatched_at = 'infinity'",
                    Long.class) == count);
            assertStillWaiting(first.jdbc(), count);
        }
        try (ConveyorInstance second = start("after-pause-restart", schema)) {
            NotifyBuilder pass = RouteSignals.dispatcherPassAfterNow(second.bean(CamelContext.class));
            assertThat(pass.matches(30, TimeUnit.SECONDS)).as("the dispatcher ran after the restart").isTrue();
            JsonNode normal = null;
            for (JsonNode lane : Api.json(second.api().get("/lanes")).get("lanes")) {
                if (lane.get("name").asText().equals("normal")) {
                    normal = lane;
                }
            }
            assertThat(normal).isNotNull();
            assertThat(normal.get("paused").asBoolean()).as("the pause outlived the restart").isTrue();
            assertThat(normal.get("queued").asLong()).isEqualTo(count);
            assertStillWaiting(second.jdbc(), count);

            assertThat(second.api().postJson("/lanes/normal/resume", "").statusCode()).isEqualTo(200);

            awaitAllFinished(second.jdbc(), "paused", count, Duration.ofSeconds(180));
            assertExactlyOnce(second.jdbc(), "paused", count);
        }
    }

    /** Every job of the paused lane is QUEUED with no attempt and no start recorded. */
    private static void assertStillWaiting(JdbcTemplate jdbc, int count) {
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE marketplace = 'paused' AND status = 'QUEUED'"
                + " AND attempts = 0", Long.class)).isEqualTo(count);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM job_events e JOIN jobs j USING (job_id)"
                + " WHERE j.marketplace = 'paused' AND e.event_type = 'job.started'", Long.class)).isZero();
    }

    private ConveyorInstance start(String name, String schema) {
        return ConveyorInstance.start(name, schema, backendProperties(schema));
    }

    private ConveyorInstance start(String name, String schema, Map<String, String> more) {
        Map<String, String> properties = new LinkedHashMap<>(backendProperties(schema));
        properties.putAll(more);
        return ConveyorInstance.start(name, schema, properties);
    }

    private String schema() {
        String schema = ConveyorInstance.newSchema();
        schemas.add(schema);
        return schema;
    }

    /**
     * Inserts QUEUED jobs straight into the table (as fast as a bulk producer could), due in a few seconds,
     * spread over 16 categories so their partition keys spread over a keyed backend's partitions.
     */
    static void insertDueJobs(JdbcTemplate jdbc, int count, String priority, String marketplace, int dueInSeconds) {
        String payload = PAYLOAD.replace("contract", marketplace);
        jdbc.update("""
                INSERT INTO jobs (id, job_id, type, source, priority, payload, payload_size_bytes, marketplace,
                                  category, correlation_id, run_at)
                SELECT u, 'job_' || replace(u::text, '-', ''), 'csv_validation', 'test', ?, CAST(? AS jsonb), 60,
                       ?, 'toys-' || (n % 16), 'job_' || replace(u::text, '-', ''), now() + make_interval(secs => ?)
                FROM (SELECT gen_random_uuid() AS u, n FROM generate_series(1, ?) n) g
                """, priority, payload, marketplace, dueInSeconds, count);
    }

    static long finished(JdbcTemplate jdbc, String marketplace) {
        return jdbc.queryForObject("SELECT count(*) FROM jobs WHERE marketplace = ? AND status = 'SUCCESS'",
                Long.class, marketplace);
    }

    static void awaitAllFinished(JdbcTemplate jdbc, String marketplace, int count, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(250))
                .until(() -> finished(jdbc, marketplace) == count);
    }

    static long startedEvents(JdbcTemplate jdbc, String jobId) {
        return jdbc.queryForObject("SELECT count(*) FROM job_events WHERE job_id = ? AND event_type = 'job.started'",
                Long.class, jobId);
    }

    /** Every job ran in one attempt, with one start and one completion recorded. */
    static void assertExactlyOnce(JdbcTemplate jdbc, String marketplace, int count) {
        Map<String, Object> facts = jdbc.queryForMap("""
                SELECT count(*) AS jobs,
                       count(*) FILTER (WHERE attempts = 1) AS one_attempt,
                       (SELECT count(*) FROM job_events e JOIN jobs j USING (job_id)
                        WHERE j.marketplace = ? AND e.event_type = 'job.started') AS started,
                       (SELECT count(*) FROM job_events e JOIN jobs j USING (job_id)
                        WHERE j.marketplace = ? AND e.event_type = 'job.completed') AS completed
                FROM jobs WHERE marketplace = ?""", marketplace, marketplace, marketplace);
        assertThat(facts).containsEntry("jobs", (long) count).containsEntry("one_attempt", (long) count)
                .containsEntry("started", (long) count).containsEntry("completed", (long) count);
    }

}
