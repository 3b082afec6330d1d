package dev.conveyor.telemetry;

import dev.conveyor.job.JobEvent;
import dev.conveyor.job.JobEventLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Jobs that succeed, partly succeed, fail and chain write events that keep the contract of schemas/events:
 * every row of job_events is checked here explicitly, besides the check the whole suite makes at emit time.
 */
@ConveyorIntegrationTest
class EmittedEventsConformTest extends RunningServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    @Autowired
    JobEventLog telemetry;

    EventSchemas schemas;

    @BeforeEach
    void setUp() {
        schemas = EventSchemas.load(properties.schemasDir());
    }

    @Test
    void everyEventOfSuccessPartialSuccessFailureAndAChainKeepsItsSchema() throws IOException {
        String success = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        String partial = api.submit(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS));
        String wrongHeader = api.submit(CsvJobs.inline("sku,title,cost,quantity\nA,B,1,2\n"));
        String allBad = api.submit(CsvJobs.inline("sku,title,price,quantity\nA,B,x,1\nC,D,-1,1\n"));
        Path dir = Files.createDirectories(properties.inbox().dir().resolve("evt_mkt").resolve("toys").resolve("eu"));
        Path staged = Files.createTempFile("staged", ".csv");
        Files.writeString(staged, CsvJobs.CLEAN);
        Files.move(staged, dir.resolve("listings.csv"));

        assertThat(api.awaitFinished(success).get("status").asText()).isEqualTo("SUCCESS");
        assertThat(api.awaitFinished(partial).get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(api.awaitFinished(wrongHeader).get("status").asText()).isEqualTo("FAILED");
        assertThat(api.awaitFinished(allBad).get("status").asText()).isEqualTo("FAILED");
        String load = await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForList(
                "SELECT job_id FROM jobs WHERE type = 'warehouse_load' AND marketplace = 'evt_mkt'", String.class),
                ids -> ids.size() == 1).get(0);
        assertThat(api.awaitFinished(load).get("status").asText()).isEqualTo("SUCCESS");

        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT event_id::text AS event_id, event_type, job_id, created_at, payload::text AS payload "
                        + "FROM job_events ORDER BY created_at");
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            JsonNode event = Api.json((String) row.get("payload"));
            schemas.violations(event).forEach(v -> problems.add(row.get("event_type") + " " + row.get("job_id")
                    + ": " + v + " in " + event));
            assertThat(event.get("event_id").asText()).isEqualTo(row.get("event_id"));
            assertThat(event.get("event_type").asText()).isEqualTo(row.get("event_type"));
            // the row's job_id column names what the event is about: the job, or for a batch.* event the batch
            assertThat(event.get(event.get("job_id").isNull() ? "batch_id" : "job_id").asText())
                    .isEqualTo(row.get("job_id"));
            assertThat(Instant.parse(event.get("timestamp").asText()))
                    .isEqualTo(((java.sql.Timestamp) row.get("created_at")).toInstant());
        }
        assertThat(problems).isEmpty();
        assertThat(rows).extracting(row -> row.get("event_type")).contains("job.queued", "job.started",
                "job.completed", "job.failed", "batch.started");

        JsonNode failed = eventOf(wrongHeader, "job.failed");
        assertThat(failed.get("error").get("type").asText()).isNotBlank();
        assertThat(failed.get("error").get("message").asText()).contains("missing column(s) price");
        assertThat(failed.get("metrics").has("latency_ms")).isTrue();
        JsonNode completed = eventOf(partial, "job.completed");
        assertThat(completed.get("metrics").get("error_rows").asLong()).isEqualTo(2);
        assertThat(completed.get("metrics").get("error_rate").asDouble()).isEqualTo(0.4);
        assertThat(completed.get("metrics").get("errors_by_field").get("price").asLong()).isEqualTo(1);
        assertThat(List.of(eventOf(success, "job.queued"), eventOf(success, "job.started"),
                eventOf(success, "job.completed"))).as("one attempt, one job_execution_id")
                .extracting(event -> event.get("job_execution_id").asText()).containsOnly(
                        eventOf(success, "job.started").get("job_execution_id").asText());
        assertThat(eventOf(success, "job.started").get("job_execution_id"))
                .isNotEqualTo(eventOf(partial, "job.started").get("job_execution_id"));
        JsonNode loaded = eventOf(load, "job.completed");
        assertThat(loaded.get("task").asText()).isEqualTo("warehouse_load");
        assertThat(loaded.get("partition_key").asText()).isEqualTo("evt_mkt:toys:eu");
        assertThat(loaded.get("parent_job_id").asText()).startsWith("job_");
        assertThat(loaded.get("correlation_id")).isEqualTo(eventOf(loaded.get("parent_job_id").asText(),
                "job.queued").get("correlation_id"));
    }

    @Test
    void withValidationOnAsInEveryTestAnEventThatBreaksItsSchemaIsRefusedAndNotWritten() {
        String jobId = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        api.awaitFinished(jobId);
        Map<String, Object> envelope = new LinkedHashMap<>(JSON.convertValue(eventOf(jobId, "job.queued"), MAP));
        UUID eventId = UUID.randomUUID();
        envelope.put("event_id", eventId.toString());
        envelope.put("event_type", "job.failed");
        JobEvent bad = new JobEvent(eventId, "job.failed", jobId, Instant.now(), envelope);

        assertThatThrownBy(() -> telemetry.emit(bad)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("job.failed").hasMessageContaining(jobId)
                .hasMessageContaining("job.failed-v1.json").hasMessageContaining("error");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM job_events WHERE event_id = ?", Long.class, eventId))
                .isZero();
    }

    private JsonNode eventOf(String jobId, String type) {
        return Api.json(jdbc.queryForObject("SELECT payload::text FROM job_events WHERE job_id = ? AND event_type = ?",
                String.class, jobId, type));
    }
}
