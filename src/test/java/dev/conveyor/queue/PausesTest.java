package dev.conveyor.queue;

import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.RuntimeMBeanException;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.DueJob;
import dev.conveyor.job.Priority;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RouteSignals;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pausing and resuming lanes and job types on the shared service (memory backend; the same on Kafka and SQS is in
 * the queue contract): a paused lane or type starts nothing new while the others run, its jobs wait QUEUED without an
 * attempt, a message already on its way is refused at the claim and not lost, and a resume runs them all once. Each
 * test pauses the low lane or a test-only type, which no other test needs, and resumes it after itself.
 */
@ConveyorIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class PausesTest extends RunningServiceTest {

    @Autowired
    CamelContext camel;

    @Autowired
    ConveyorOperations operations;

    @Autowired
    LaneRouter router;

    @AfterEach
    void resumeEverything() {
        api.postJson("/lanes/low/resume", "");
        api.postJson("/types/test_flaky_limited/resume", "");
    }

    @Test
    void aPausedLaneHoldsItsJobsQueuedWhileTheOtherLanesRunAndAResumeRunsThem(CapturedOutput log) {
        HttpResponse<String> paused = api.postJson("/lanes/low/pause", "");
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        assertThat(Api.json(paused).get("paused").asBoolean()).isTrue();

        String low = api.submit(lowPriority(CsvJobs.inline("pause-lane", "toys", CsvJobs.CLEAN)));
        NotifyBuilder passAfterSubmit = RouteSignals.dispatcherPassAfterNow(camel);
        String normal = api.submit(CsvJobs.inline("pause-lane", "toys", CsvJobs.CLEAN));

        assertThat(api.awaitFinished(normal).get("status").asText()).isEqualTo("SUCCESS");
        assertThat(passAfterSubmit.matches(10, TimeUnit.SECONDS)).as("the dispatcher ran").isTrue();
        assertThat(api.job(low).get("status").asText()).isEqualTo("QUEUED");
        assertThat(attempts(low)).isZero();
        JsonNode lowLane = row(Api.json(api.get("/lanes")).get("lanes"), "low");
        assertThat(lowLane.get("paused").asBoolean()).isTrue();
        assertThat(lowLane.get("paused_by").asText()).contains("tenant default");
        assertThat(lowLane.get("queued").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(lowLane.get("oldest_waiting_seconds").isNumber()).isTrue();
        assertThat(row(Api.json(api.get("/lanes")).get("lanes"), "normal").get("paused").asBoolean()).isFalse();

        HttpResponse<String> resumed = api.postJson("/lanes/low/resume", "");
        assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
        assertThat(Api.json(resumed).get("released_jobs").asInt()).isGreaterThanOrEqualTo(1);

        assertThat(api.awaitFinished(low).get("status").asText()).isEqualTo("SUCCESS");
        assertThat(attempts(low)).isEqualTo(1);
        assertThat(log.getOut()).contains("lane 'low' paused by API key").contains("lane 'low' resumed by API key");
    }

    @Test
    void aMessageAlreadyOnItsWayWhenTheLanePausedIsRefusedAtTheClaimAndRunsOnceAfterTheResume() {
        api.postJson("/lanes/low/pause", "");
        String jobId = api.submit(lowPriority(CsvJobs.inline("pause-in-flight", "toys", CsvJobs.CLEAN)));
        // the message the dispatcher had published before the pause, still in the lane
        String lane = camel.resolvePropertyPlaceholders("{{conveyor.queue.lane.low.publish}}");
        NotifyBuilder refused = RouteSignals.workerDoneWith(camel, jobId, 1);
        ProducerTemplate producer = camel.createProducerTemplate();
        producer.sendBodyAndHeader(lane, jobId, "jobId", jobId);

        assertThat(refused.matches(30, TimeUnit.SECONDS)).as("the worker took the message").isTrue();
        assertThat(api.job(jobId).get("status").asText()).isEqualTo("QUEUED");
        assertThat(attempts(jobId)).isZero();

        api.postJson("/lanes/low/resume", "");
        assertThat(api.awaitFinished(jobId).get("status").asText()).isEqualTo("SUCCESS");
        assertThat(attempts(jobId)).isEqualTo(1);
        producer.stop();
    }

    @Test
    void aPausedTypeWaitsWhileOtherTypesOfItsLaneRun() {
        HttpResponse<String> paused = api.postJson("/types/test_flaky_limited/pause", "");
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);

        String held = api.submit("{\"type\":\"test_flaky_limited\",\"payload\":{\"mode\":\"transient\","
                + "\"fail_times\":0}}");
        NotifyBuilder passAfterSubmit = RouteSignals.dispatcherPassAfterNow(camel);
        String other = api.submit(CsvJobs.inline("pause-type", "toys", CsvJobs.CLEAN));

        assertThat(api.awaitFinished(other).get("status").asText()).isEqualTo("SUCCESS");
        assertThat(passAfterSubmit.matches(10, TimeUnit.SECONDS)).as("the dispatcher ran").isTrue();
        assertThat(api.job(held).get("status").asText()).isEqualTo("QUEUED");
        JsonNode type = row(Api.json(api.get("/types")).get("types"), "test_flaky_limited");
        assertThat(type.get("paused").asBoolean()).isTrue();
        assertThat(type.get("queued").asLong()).isGreaterThanOrEqualTo(1);

        api.postJson("/types/test_flaky_limited/resume", "");
        assertThat(api.awaitFinished(held).get("status").asText()).isEqualTo("SUCCESS");
    }

    @Test
    void anUnknownLaneOrTypeIsA404ThatListsTheOnesThatExist() {
        HttpResponse<String> lane = api.postJson("/lanes/fast/pause", "");
        assertThat(lane.statusCode()).isEqualTo(404);
        assertThat(lane.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(Api.json(lane).get("detail").asText()).contains("'fast'").contains("high, normal, low, bulk");

        HttpResponse<String> type = api.postJson("/types/nope/resume", "");
        assertThat(type.statusCode()).isEqualTo(404);
        assertThat(Api.json(type).get("detail").asText()).contains("'nope'").contains("csv_validation")
                .contains("warehouse_load");
    }

    @Test
    void aReaderSeesTheLanesButOnlyAnOperatorPausesThem() {
        Api reader = api.as(api.newKey("pause-roles", "reader"));
        Api operator = api.as(api.newKey("pause-roles", "operator"));

        assertThat(reader.get("/lanes").statusCode()).isEqualTo(200);
        assertThat(reader.get("/types").statusCode()).isEqualTo(200);
        assertThat(reader.postJson("/lanes/low/pause", "").statusCode()).isEqualTo(403);
        assertThat(reader.postJson("/types/test_flaky_limited/pause", "").statusCode()).isEqualTo(403);
        assertThat(row(Api.json(api.get("/lanes")).get("lanes"), "low").get("paused").asBoolean()).isFalse();

        HttpResponse<String> paused = operator.postJson("/lanes/low/pause", "");
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        assertThat(Api.json(paused).get("paused_by").asText()).contains("operator of pause-roles");
        assertThat(operator.postJson("/lanes/low/resume", "").statusCode()).isEqualTo(200);
    }

    @Test
    void theConveyorMBeanPausesAndResumesALaneAsTheApiDoes() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        String[] signature = {String.class.getName()};

        Object answer = server.invoke(operations.objectName(), "pauseLane", new Object[] {"low"}, signature);

        assertThat(answer.toString()).contains("'low' is paused");
        assertThat((String[]) server.getAttribute(operations.objectName(), "PausedLanes")).contains("low");
        JsonNode low = row(Api.json(api.get("/lanes")).get("lanes"), "low");
        assertThat(low.get("paused").asBoolean()).isTrue();
        assertThat(low.get("paused_by").asText()).isEqualTo("a JMX client");

        server.invoke(operations.objectName(), "resumeLane", new Object[] {"low"}, signature);
        assertThat(row(Api.json(api.get("/lanes")).get("lanes"), "low").get("paused").asBoolean()).isFalse();
        assertThatThrownBy(() -> server.invoke(operations.objectName(), "pauseType", new Object[] {"nope"},
                signature)).isInstanceOf(RuntimeMBeanException.class)
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .rootCause().hasMessageContaining("csv_validation");
    }

    @Test
    void theLaneGetLanesCountsAWaitingJobInIsTheLaneTheRouterPublishesItTo() {
        List<DueJob> jobs = List.of(
                new DueJob("j1", "warehouse_load", Priority.HIGH, 10, null, null, null),
                new DueJob("j2", "csv_validation", Priority.NORMAL, 2_000_000, null, null, null),
                new DueJob("j3", "csv_validation", Priority.HIGH, 10, null, null, null),
                new DueJob("j4", "enrich", Priority.LOW, 10, null, null, null),
                new DueJob("j5", "csv_validation", Priority.NORMAL, 10, null, null, null));
        for (DueJob job : jobs) {
            String inSql = jdbc.queryForObject("SELECT " + router.laneExpression()
                    + " FROM (VALUES (?, ?, ?)) AS jobs(type, priority, payload_size_bytes)", String.class,
                    job.type(), job.priority().wireName(), job.payloadSizeBytes());
            assertThat(inSql).as(job.toString()).isEqualTo(router.laneFor(job));
        }
        assertThat(jobs.stream().map(router::laneFor).distinct()).as("every lane is tried")
                .containsExactlyInAnyOrder("bulk", "high", "low", "normal");
    }

    /** A submission of the low lane (the routing rules of application.yaml send priority low there). */
    private static String lowPriority(String body) {
        return body.replaceFirst("\\{", "{\"priority\":\"low\",");
    }

    private long attempts(String jobId) {
        return jdbc.queryForObject("SELECT attempts FROM jobs WHERE job_id = ?", Long.class, jobId);
    }

    private static JsonNode row(JsonNode rows, String name) {
        for (JsonNode row : rows) {
            if (row.get("name").asText().equals(name)) {
                return row;
            }
        }
        throw new AssertionError("no row " + name + " in " + rows);
    }
}
