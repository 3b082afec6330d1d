package dev.conveyor.processors;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.BenchW0Jobs;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import dev.conveyor.telemetry.EventSchemas;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code conveyor.bench.noop-jobs} on, {@code noop} is a job type that succeeds doing nothing; and the rows
 * bench/run's W0 pre-inserts with SQL (bench/w0-jobs.sql) are the rows the service itself writes, so the drain it
 * times is a drain of real jobs.
 */
@Tag("slow") // a Spring context of its own (the bench's noop jobs on)
@ConveyorIntegrationTest
@TestPropertySource(properties = "conveyor.bench.noop-jobs=true")
class NoopJobsTest extends RunningServiceTest {

    /** The columns that differ between any two jobs: identity, times, and who ran them. */
    private static final List<String> PER_JOB = List.of("id", "job_id", "run_at", "created_at", "updated_at",
            "dispatched_at", "lease_until", "started_at", "completed_at", "claimed_by");

    @Test
    void aNoopJobSucceedsWithItsCompletedEvent() {
        String jobId = api.submit("{\"type\":\"noop\",\"payload\":{}}");

        JsonNode job = api.awaitFinished(jobId);

        assertThat(job.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        assertThat(eventTypes(jobId)).containsExactly("job.queued", "job.started", "job.completed");
    }

    @Test
    void aNoopPayloadTakesNoParameters() {
        assertThat(api.postJson("/jobs", "{\"type\":\"noop\",\"payload\":{\"sleep_ms\":10}}").statusCode())
                .isEqualTo(422);
    }

    @Test
    void theJobsBenchW0InsertsWithSqlAreTheJobsTheServiceWrites() {
        String tag = "w0-same-rows";
        String submitted = api.submit("{\"type\":\"noop\",\"payload\":{},\"correlation_id\":\"" + tag + "\"}");
        jdbc.execute(BenchW0Jobs.sql(1, tag, properties.worker().maxAttempts(), 0));
        String inserted = jdbc.queryForObject("SELECT job_id FROM jobs WHERE correlation_id = ? AND job_id <> ?",
                String.class, tag, submitted);

        api.awaitFinished(submitted);
        JsonNode insertedJob = api.awaitFinished(inserted);

        assertThat(insertedJob.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(row(inserted)).isEqualTo(row(submitted));
        assertThat(eventTypes(inserted)).containsExactly("job.queued", "job.started", "job.completed");
        assertThat(queuedEvent(inserted)).isEqualTo(queuedEvent(submitted));
        // the execution id SQL computed for attempt 1 is the one the worker's events carry
        assertThat(jdbc.queryForList("SELECT DISTINCT payload->>'job_execution_id' FROM job_events WHERE job_id = ?",
                String.class, inserted)).hasSize(1);
        JsonNode queued = Api.json(jdbc.queryForObject(
                "SELECT payload::text FROM job_events WHERE job_id = ? AND event_type = 'job.queued'", String.class,
                inserted));
        assertThat(EventSchemas.load(properties.schemasDir()).violations(queued)).isEmpty();
    }

    @Test
    void theBenchW0IdsAreVersion7OfTheirStatementsMillisecondAsTheServiceMakesThem() {
        String tag = "w0-id-order";
        long before = System.currentTimeMillis();
        jdbc.execute(BenchW0Jobs.sql(5000, tag, properties.worker().maxAttempts(), 3600));
        long after = System.currentTimeMillis();
        String submitted = api.submit("{\"type\":\"noop\",\"payload\":{},\"correlation_id\":\"" + tag + "\"}");

        List<UUID> inserted = jdbc.queryForList("SELECT id FROM jobs WHERE correlation_id = ? AND job_id <> ?",
                UUID.class, tag, submitted);
        // one millisecond more for every 4,096 ids, as the statement counts them
        assertThat(inserted).hasSize(5000).doesNotHaveDuplicates().allSatisfy(id -> {
            assertThat(id.version()).isEqualTo(7);
            assertThat(id.variant()).isEqualTo(2);
            assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, after + 5000 / 4096);
        });
        assertThat(jdbc.queryForObject("SELECT id FROM jobs WHERE job_id = ?", UUID.class, submitted).version())
                .isEqualTo(7);
        jdbc.update("DELETE FROM job_events WHERE job_id IN (SELECT job_id FROM jobs WHERE correlation_id = ? "
                + "AND status = 'QUEUED')", tag);
        jdbc.update("DELETE FROM jobs WHERE correlation_id = ? AND status = 'QUEUED'", tag);
    }

    @Test
    void jobsInsertedDueLaterWaitUntilTheyAreDueAndThenAllDrain() {
        String tag = "w0-drain";
        jdbc.execute(BenchW0Jobs.sql(200, tag, properties.worker().maxAttempts(), 1.5));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE correlation_id = ? AND status = 'QUEUED' "
                + "AND run_at = created_at + interval '1.5 seconds'", Long.class, tag)).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM jobs WHERE correlation_id = ? AND status = 'SUCCESS'", Long.class, tag) == 200);

        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE correlation_id = ? AND started_at < run_at",
                Long.class, tag)).isZero();
        Map<String, Object> events = jdbc.queryForMap("""
                SELECT count(*) FILTER (WHERE event_type = 'job.queued') AS queued,
                       count(*) FILTER (WHERE event_type = 'job.completed') AS completed
                  FROM job_events WHERE job_id IN (SELECT job_id FROM jobs WHERE correlation_id = ?)""", tag);
        assertThat(events).containsEntry("queued", 200L).containsEntry("completed", 200L);
    }

    /** The job's row with what differs between any two jobs left out, as JSON. */
    private JsonNode row(String jobId) {
        ObjectNode row = (ObjectNode) Api.json(jdbc.queryForObject(
                "SELECT to_jsonb(j)::text FROM jobs j WHERE job_id = ?", String.class, jobId));
        row.remove(PER_JOB);
        return row;
    }

    /** The job.queued envelope without its event id, job id, execution id and time. */
    private JsonNode queuedEvent(String jobId) {
        ObjectNode event = (ObjectNode) Api.json(jdbc.queryForObject(
                "SELECT payload::text FROM job_events WHERE job_id = ? AND event_type = 'job.queued'", String.class,
                jobId));
        event.remove(List.of("event_id", "job_id", "job_execution_id", "timestamp"));
        return event;
    }

    private List<String> eventTypes(String jobId) {
        return jdbc.queryForList("SELECT event_type FROM job_events WHERE job_id = ? ORDER BY created_at, "
                + "CASE event_type WHEN 'job.queued' THEN 0 WHEN 'job.started' THEN 1 ELSE 2 END", String.class, jobId);
    }
}
