package dev.conveyor.telemetry;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * job.progress events: a long job's progress reports become events at most once a second in tests (the
 * {@code every-seconds} setting, in TestEnvironment), each with the percent and rows so far, in the job's event history and
 * validated against job.progress-v1.json; the reports in between are not written (a heartbeat, at most once per
 * conveyor.worker.heartbeat-interval-ms, moves jobs.progress).
 */
@ConveyorIntegrationTest
class ProgressEventsTest extends RunningServiceTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    JobLifecycle lifecycle;

    @Test
    void aLongJobReportingEvery25MsEmitsAtMostOneProgressEventASecond() {
        // test_flaky "slow": a report (percent and one more row) every 25 ms for 10 s
        String jobId = api.submit("{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"slow\"}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> progressEvents(jobId).size() >= 3);
        assertThat(api.post("/jobs/" + jobId + "/cancel", null, HttpRequest.BodyPublishers.noBody()).statusCode())
                .isEqualTo(202);
        assertThat(api.awaitFinished(jobId).get("status").asText()).isEqualTo("CANCELLED");

        List<JsonNode> events = progressEvents(jobId);
        Instant started = jdbc.queryForObject("SELECT started_at FROM jobs WHERE job_id = ?", java.sql.Timestamp.class,
                jobId).toInstant();
        Instant first = timestamp(events.get(0));
        Instant last = timestamp(events.get(events.size() - 1));
        assertThat(Duration.between(started, first)).as("no event before the job ran a second")
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        for (int i = 1; i < events.size(); i++) {
            // the decision is taken on the same clock as the timestamp, a few instructions earlier
            assertThat(Duration.between(timestamp(events.get(i - 1)), timestamp(events.get(i))))
                    .as("gap before progress event %d", i).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        }
        // about 40 reports a second came in; one event a second went out
        assertThat(events.size()).isLessThanOrEqualTo(1 + (int) Duration.between(first, last).toSeconds());

        EventSchemas schemas = EventSchemas.load(Path.of("schemas"));
        long previousRows = 0;
        int previousPercent = 0;
        for (JsonNode event : events) {
            assertThat(schemas.violations(event)).as(event.toString()).isEmpty();
            long rows = event.at("/metrics/rows_processed").asLong();
            int percent = event.get("progress").asInt();
            assertThat(rows).as("rows so far").isGreaterThan(previousRows);
            assertThat(percent).isBetween(previousPercent, 100);
            assertThat(event.get("job_execution_id").asText())
                    .isEqualTo(event(jobId, "job.started").get("job_execution_id").asText());
            previousRows = rows;
            previousPercent = percent;
        }
        assertThat(api.job(jobId).get("progress").asInt()).as("jobs.progress follows every report")
                .isGreaterThanOrEqualTo(previousPercent);
    }

    @Test
    void aHeartbeatOfTheLifecycleWritesTheEventInItsTransactionWithThePercentAndRows() {
        // a job not yet due, claimed by hand, so no lane consumer runs it meanwhile
        String later = "{\"run_at\":\"" + Instant.now().plusSeconds(3600) + "\",";
        String jobId = api.submit(CsvJobs.inline(CsvJobs.CLEAN).replaceFirst("\\{", later));
        Job claimed = lifecycle.claim(jobId, "normal").orElseThrow();

        assertThat(lifecycle.heartbeat(claimed, 40, 1234L)).isTrue();
        assertThat(progressEvents(jobId)).as("the attempt has not run a second yet").isEmpty();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertThat(lifecycle.heartbeat(claimed, 40, 1234L)).isTrue();
            return !progressEvents(jobId).isEmpty();
        });

        JsonNode event = progressEvents(jobId).get(0);
        assertThat(event.get("progress").asInt()).isEqualTo(40);
        assertThat(event.at("/metrics/rows_processed").asLong()).isEqualTo(1234);
        assertThat(event.at("/metrics/latency_ms").isMissingNode()).isTrue();
        assertThat(event.get("partition_key").asText()).isEqualTo("acme:toys");
        assertThat(api.job(jobId).get("progress").asInt()).isEqualTo(40);
        jdbc.update("UPDATE jobs SET status = 'CANCELLED' WHERE job_id = ?", jobId);
    }

    private List<JsonNode> progressEvents(String jobId) {
        return jdbc.query("SELECT payload::text FROM job_events WHERE job_id = ? AND event_type = 'job.progress' "
                + "ORDER BY created_at", (rs, i) -> parse(rs.getString(1)), jobId);
    }

    private JsonNode event(String jobId, String type) {
        return jdbc.query("SELECT payload::text FROM job_events WHERE job_id = ? AND event_type = ?",
                (rs, i) -> parse(rs.getString(1)), jobId, type).get(0);
    }

    private static Instant timestamp(JsonNode event) {
        return Instant.parse(event.get("timestamp").asText());
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }
}
