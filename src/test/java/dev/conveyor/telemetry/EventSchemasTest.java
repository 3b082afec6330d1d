package dev.conveyor.telemetry;

import dev.conveyor.job.JobEvent;
import dev.conveyor.job.Batch;
import dev.conveyor.job.BatchEventType;
import dev.conveyor.job.BatchEvents;
import dev.conveyor.job.BatchStatus;
import dev.conveyor.job.EventType;
import dev.conveyor.job.JobEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobStatus;
import dev.conveyor.job.Priority;
import dev.conveyor.support.JobRecords;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The event contract in schemas/events: the files themselves, events that keep it and events that break it. */
class EventSchemasTest {

    private static final Path DIR = Path.of("schemas", "events");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EventSchemas schemas;

    @BeforeAll
    static void load() {
        schemas = EventSchemas.load(Path.of("schemas"));
    }

    // --- the files ---

    @Test
    void everySchemaFileIsJsonAndAValidJsonSchema202012() throws IOException {
        JsonSchema metaSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        List<Path> files = schemaFiles();
        assertThat(files).hasSize(EventType.values().length + BatchEventType.values().length + 1);
        for (Path file : files) {
            JsonNode schema = JSON.readTree(file.toFile());
            assertThat(schema.get("$schema").asText()).as(file.toString())
                    .isEqualTo("https://json-schema.org/draft/2020-12/schema");
            assertThat(schema.get("$id").asText()).as(file.toString())
                    .isEqualTo(EventSchemas.ID_PREFIX + file.getFileName());
            Set<ValidationMessage> problems = metaSchema.validate(schema);
            assertThat(problems).as(file.toString()).isEmpty();
        }
    }

    @Test
    void thereIsOneSchemaPerEventTypeEachTheEnvelopePlusItsTypeAndTheEnvelopeListsEveryType() throws IOException {
        assertThat(schemas.eventTypes()).containsExactlyInAnyOrder(Stream.concat(
                Stream.of(EventType.values()).map(EventType::wireName),
                Stream.of(BatchEventType.values()).map(BatchEventType::wireName)).toArray(String[]::new));
        JsonNode envelope = JSON.readTree(DIR.resolve("envelope-v1.json").toFile());
        List<String> listed = new ArrayList<>();
        envelope.at("/properties/event_type/enum").forEach(type -> listed.add(type.asText()));
        assertThat(listed).containsExactly("job.queued", "job.started", "job.progress", "job.retrying",
                "job.completed", "job.failed", "job.dead_lettered", "job.cancelled", "job.requeued", "batch.started",
                "batch.completed");
        for (String type : EventSchemas.eventTypeNames()) {
            JsonNode schema = JSON.readTree(DIR.resolve(type + "-v1.json").toFile());
            assertThat(schema.at("/allOf/0/$ref").asText()).isEqualTo("envelope-v1.json");
            assertThat(schema.at("/properties/event_type/const").asText()).isEqualTo(type);
        }
    }

    // --- events that keep the contract ---

    @ParameterizedTest
    @EnumSource(EventType.class)
    void anEventOfEachTypeAsJobEventsBuildsItValidates(EventType type) {
        JobEvent event = JobEvents.of(type, jobAt(type), metricsFor(type), errorFor(type));

        assertThat(schemas.violations(event.envelope())).isEmpty();
    }

    @Test
    void batchEventsValidateWithNoJobAndTheirCountsAndAJobEventMayNotLookLikeOne() {
        Job job = job("acme", "toys", null, null, Instant.now());
        Batch running = batch(BatchStatus.RUNNING, Batch.RowCounts.NONE, null);
        Batch closed = batch(BatchStatus.PARTIAL_SUCCESS, new Batch.RowCounts(42L, 40L, 2L, 40L, 0L), Instant.now());
        JobEvent started = BatchEvents.started(running, List.of(job));
        JobEvent completed = BatchEvents.completed(closed, List.of(job));

        assertThat(schemas.violations(started.envelope())).isEmpty();
        assertThat(schemas.violations(completed.envelope())).isEmpty();
        assertThat(started.jobId()).as("the job_events row names the batch").isEqualTo(running.batchId());
        // a started batch has no counts yet; a completed one must have them
        ObjectNode early = JSON.valueToTree(started.envelope());
        ((ObjectNode) early.get("batch")).put("rows_total", 1);
        assertThat(schemas.violations(early)).anyMatch(m -> m.contains("rows_total"));
        ObjectNode countless = JSON.valueToTree(completed.envelope());
        ((ObjectNode) countless.get("batch")).remove("rows_valid");
        assertThat(schemas.violations(countless)).anyMatch(m -> m.contains("rows_valid"));
        // null job_id belongs to batch events only, and a batch object too
        assertThat(broken(EventType.QUEUED, e -> e.putNull("job_id"))).anyMatch(m -> m.contains("job_id"));
        assertThat(broken(EventType.QUEUED, e -> e.set("batch", JSON.valueToTree(started.envelope()).get("batch"))))
                .anyMatch(m -> m.contains("batch"));
        ObjectNode withJob = JSON.valueToTree(started.envelope());
        withJob.put("job_id", job.jobId());
        assertThat(schemas.violations(withJob)).anyMatch(m -> m.contains("job_id"));
    }

    @Test
    void aJobOfABatchCarriesItsBatchIdAndAMalformedOneFails() {
        Map<String, Object> envelope = JobEvents.of(EventType.QUEUED, job("acme", "toys", null, null, null), null,
                null).envelope();
        envelope.put("batch_id", "bat_" + "0123456789abcdef".repeat(2));
        assertThat(schemas.violations(envelope)).isEmpty();
        envelope.put("batch_id", "bat_123");
        assertThat(schemas.violations(envelope)).anyMatch(m -> m.contains("batch_id"));
    }

    private static Batch batch(BatchStatus status, Batch.RowCounts rows, Instant completedAt) {
        return new Batch("bat_" + UUID.randomUUID().toString().replace("-", ""), "default", "inbox", "acme/toys/a.csv",
                status, rows, "ab".repeat(32), completedAt == null ? null : "rows_total 42 = rows_valid 40 + "
                + "rows_invalid 2", false, null, null, Instant.now().minusSeconds(5), completedAt);
    }

    @Test
    void aJobWithNoMarketplaceRegionOrParentValidatesWithNulls() {
        Job job = job(null, null, null, null, null);
        Map<String, Object> envelope = JobEvents.of(EventType.QUEUED, job, null, null).envelope();

        assertThat(envelope.get("partition_key")).isNull();
        assertThat(schemas.violations(envelope)).isEmpty();
    }

    @Test
    void aChildJobWithARegionValidates() {
        Job job = job("acme", "toys", "eu", JobIds.of(UUID.randomUUID()), Instant.now());
        Map<String, Object> envelope = JobEvents.of(EventType.COMPLETED, job, rowMetrics(), null).envelope();

        assertThat(envelope.get("partition_key")).isEqualTo("acme:toys:eu");
        assertThat(schemas.violations(envelope)).isEmpty();
    }

    @Test
    void aTimestampWithoutFractionOfASecondStillValidates() {
        ObjectNode event = good(EventType.STARTED);
        event.put("timestamp", "2024-05-01T10:00:00Z");

        assertThat(schemas.violations(event)).isEmpty();
    }

    // --- events that break it ---

    @Test
    void anEventWithoutEventIdFails() {
        assertThat(broken(EventType.QUEUED, e -> e.remove("event_id"))).anyMatch(m -> m.contains("event_id"));
    }

    @Test
    void anEventIdThatIsNotAVersion4UuidFails() {
        assertThat(broken(EventType.QUEUED, e -> e.put("event_id", "not-a-uuid")))
                .anyMatch(m -> m.contains("event_id"));
        assertThat(broken(EventType.QUEUED, e -> e.put("event_id", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")))
                .as("a version 1 UUID").anyMatch(m -> m.contains("event_id"));
        assertThat(broken(EventType.QUEUED, e -> e.put("event_id", UUID.randomUUID().toString().toUpperCase())))
                .as("upper case").anyMatch(m -> m.contains("event_id"));
    }

    @Test
    void anUnknownOrMissingEventTypeFails() {
        assertThat(broken(EventType.QUEUED, e -> e.put("event_type", "job.exploded")))
                .singleElement().asString().contains("job.exploded").contains("job.queued");
        assertThat(broken(EventType.QUEUED, e -> e.remove("event_type")))
                .singleElement().asString().contains("event_type");
    }

    @Test
    void aFailedEventWithoutErrorFails() {
        assertThat(broken(EventType.FAILED, e -> e.remove("error"))).anyMatch(m -> m.contains("error"));
        assertThat(broken(EventType.FAILED, e -> ((ObjectNode) e.get("error")).remove("message")))
                .anyMatch(m -> m.contains("message"));
    }

    @Test
    void aRetryingEventNeedsRetryCountAndError() {
        assertThat(broken(EventType.RETRYING, e -> e.remove("retry_count"))).anyMatch(m -> m.contains("retry_count"));
        assertThat(broken(EventType.RETRYING, e -> e.remove("error"))).anyMatch(m -> m.contains("error"));
        assertThat(broken(EventType.RETRYING, e -> e.put("retry_count", -1))).anyMatch(m -> m.contains("retry_count"));
    }

    @Test
    void aCompletedEventNeedsLatencyAndAnUnfinishedJobHasNone() {
        assertThat(broken(EventType.COMPLETED, e -> ((ObjectNode) e.get("metrics")).remove("latency_ms")))
                .anyMatch(m -> m.contains("latency_ms"));
        assertThat(broken(EventType.STARTED, e -> ((ObjectNode) e.get("metrics")).put("latency_ms", 5)))
                .anyMatch(m -> m.contains("latency_ms"));
    }

    @Test
    void errorAndRetryCountBelongOnlyToTheFailureEvents() {
        assertThat(broken(EventType.COMPLETED, e -> e.putObject("error").put("type", "X").put("message", "m")))
                .anyMatch(m -> m.contains("error"));
        assertThat(broken(EventType.QUEUED, e -> e.put("retry_count", 1))).anyMatch(m -> m.contains("retry_count"));
    }

    @Test
    void anUnknownTopLevelOrMetricsFieldFails() {
        assertThat(broken(EventType.QUEUED, e -> e.put("colour", "red"))).anyMatch(m -> m.contains("colour"));
        assertThat(broken(EventType.COMPLETED, e -> ((ObjectNode) e.get("metrics")).put("rows_per_second", 9)))
                .anyMatch(m -> m.contains("rows_per_second"));
    }

    @Test
    void fieldsOfTheWrongTypeOrShapeFail() {
        assertThat(broken(EventType.QUEUED, e -> e.put("job_id", 42))).anyMatch(m -> m.contains("job_id"));
        assertThat(broken(EventType.QUEUED, e -> e.put("job_id", "job_123"))).anyMatch(m -> m.contains("job_id"));
        assertThat(broken(EventType.QUEUED, e -> e.put("version", "v2"))).anyMatch(m -> m.contains("version"));
        assertThat(broken(EventType.QUEUED, e -> e.put("tenant_id", (String) null))).anyMatch(m -> m.contains("tenant_id"));
        assertThat(broken(EventType.QUEUED, e -> e.put("marketplace", 7))).anyMatch(m -> m.contains("marketplace"));
        assertThat(broken(EventType.QUEUED, e -> e.put("partition_key", "acme"))).anyMatch(m -> m.contains("partition_key"));
        assertThat(broken(EventType.QUEUED, e -> e.put("parent_job_id", "nope"))).anyMatch(m -> m.contains("parent_job_id"));
        assertThat(broken(EventType.QUEUED, e -> e.put("metrics", "none"))).anyMatch(m -> m.contains("metrics"));
        assertThat(broken(EventType.COMPLETED, e -> ((ObjectNode) e.get("metrics")).put("total_rows", "3")))
                .anyMatch(m -> m.contains("total_rows"));
        assertThat(broken(EventType.COMPLETED, e -> ((ObjectNode) e.get("metrics")).put("valid_rows", 2.5)))
                .anyMatch(m -> m.contains("valid_rows"));
        assertThat(broken(EventType.COMPLETED, e -> ((ObjectNode) e.get("metrics")).put("error_rate", 1.5)))
                .anyMatch(m -> m.contains("error_rate"));
        assertThat(broken(EventType.COMPLETED, e -> ((ObjectNode) e.get("metrics")).putObject("errors_by_field")
                .put("price", "many"))).anyMatch(m -> m.contains("price"));
    }

    @Test
    void aTimestampThatIsNotIso8601UtcFails() {
        assertThat(broken(EventType.QUEUED, e -> e.put("timestamp", "2024-05-01 10:00:00")))
                .anyMatch(m -> m.contains("timestamp"));
        assertThat(broken(EventType.QUEUED, e -> e.put("timestamp", "2024-05-01T10:00:00+02:00")))
                .as("not UTC").anyMatch(m -> m.contains("timestamp"));
        assertThat(broken(EventType.QUEUED, e -> e.put("timestamp", "2024-13-45T10:00:00Z")))
                .as("no such date").anyMatch(m -> m.contains("timestamp"));
    }

    @Test
    void somethingThatIsNotAnObjectFails() {
        assertThat(schemas.violations(JSON.getNodeFactory().textNode("job.queued"))).isNotEmpty();
    }

    // --- schema files that are broken ---

    @Test
    void aSchemaFileThatIsNotJsonFailsToLoadNamingTheFile(@TempDir Path tmp) throws IOException {
        Path dir = copyOfSchemas(tmp);
        Files.writeString(dir.resolve("job.failed-v1.json"), "{ \"$id\": ");

        assertThatThrownBy(() -> EventSchemas.loadDirectory(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("job.failed-v1.json").hasMessageContaining("not valid JSON");
    }

    @Test
    void aSchemaFileThatIsNotAValidSchemaFailsToLoadSayingWhy(@TempDir Path tmp) throws IOException {
        Path dir = copyOfSchemas(tmp);
        edit(dir.resolve("envelope-v1.json"), s -> s.put("type", "objekt"));

        assertThatThrownBy(() -> EventSchemas.loadDirectory(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("envelope-v1.json").hasMessageContaining("not a valid JSON Schema 2020-12")
                .hasMessageContaining("type");
    }

    @Test
    void aMissingSchemaForAnEventTypeFailsToLoad(@TempDir Path tmp) throws IOException {
        Path dir = copyOfSchemas(tmp);
        Files.delete(dir.resolve("job.cancelled-v1.json"));

        assertThatThrownBy(() -> EventSchemas.loadDirectory(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("job.cancelled has no schema");
    }

    @Test
    void aSchemaWhoseIdIsNotItsFileNameFailsToLoad(@TempDir Path tmp) throws IOException {
        Path dir = copyOfSchemas(tmp);
        edit(dir.resolve("job.started-v1.json"), s -> s.put("$id", EventSchemas.ID_PREFIX + "job.begun-v1.json"));

        assertThatThrownBy(() -> EventSchemas.loadDirectory(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("job.started-v1.json").hasMessageContaining("$id");
    }

    @Test
    void aReferenceOutsideTheDirectoryIsNeverFetchedAndFailsToLoad(@TempDir Path tmp) throws IOException {
        Path dir = copyOfSchemas(tmp);
        edit(dir.resolve("job.queued-v1.json"), s -> ((ObjectNode) s.get("allOf").get(0))
                .put("$ref", "https://example.com/envelope-v1.json"));

        assertThatThrownBy(() -> EventSchemas.loadDirectory(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("job.queued-v1.json").hasMessageContaining("https://example.com/envelope-v1.json");
    }

    // --- helpers ---

    private static List<Path> schemaFiles() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    private static Path copyOfSchemas(Path tmp) throws IOException {
        Path dir = tmp.resolve("events");
        Files.createDirectories(dir);
        for (Path file : schemaFiles()) {
            Files.copy(file, dir.resolve(file.getFileName()));
        }
        return dir;
    }

    private static void edit(Path file, Consumer<ObjectNode> change) throws IOException {
        ObjectNode schema = (ObjectNode) JSON.readTree(file.toFile());
        change.accept(schema);
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), schema);
    }

    private static ObjectNode good(EventType type) {
        JobEvent event = JobEvents.of(type, jobAt(type), metricsFor(type), errorFor(type));
        ObjectNode node = JSON.valueToTree(event.envelope());
        assertThat(schemas.violations(node)).as("the unbroken " + type + " event").isEmpty();
        return node;
    }

    private static List<String> broken(EventType type, Consumer<ObjectNode> breakIt) {
        ObjectNode event = good(type);
        breakIt.accept(event);
        List<String> violations = schemas.violations(event);
        assertThat(violations).as("violations of " + event).isNotEmpty();
        return violations;
    }

    /** The job as it is when the event is emitted: finished for the events that end it. */
    private static Job jobAt(EventType type) {
        boolean finished = switch (type) {
            case COMPLETED, FAILED, DEAD_LETTERED, CANCELLED -> true;
            default -> false;
        };
        return job("acme", "toys", null, null, finished ? Instant.now() : null);
    }

    private static Map<String, Object> metricsFor(EventType type) {
        return switch (type) {
            case COMPLETED -> rowMetrics();
            case FAILED -> Map.of("processing_time_ms", 12L);
            default -> null;
        };
    }

    private static Map<String, Object> errorFor(EventType type) {
        return switch (type) {
            case FAILED, RETRYING, DEAD_LETTERED -> Map.of("type", "java.io.IOException", "message", "disk full");
            default -> null;
        };
    }

    private static Map<String, Object> rowMetrics() {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("payload_size_bytes", 120L);
        metrics.put("processing_time_ms", 15L);
        metrics.put("total_rows", 5L);
        metrics.put("valid_rows", 3L);
        metrics.put("error_rows", 2L);
        metrics.put("warning_rows", 0L);
        metrics.put("errors_by_field", Map.of("price", 1L, "title", 1L, "_row", 1L));
        metrics.put("error_rate", 0.4);
        return metrics;
    }

    /**
     * A job row built by component name (so a column added to {@link Job} later does not break this test);
     * components not named here are null, 0 or false.
     */
    private static Job job(String marketplace, String category, String region, String parent, Instant completedAt) {
        UUID id = UUID.randomUUID();
        Instant created = Instant.now().minusSeconds(3);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("id", id);
        values.put("jobId", JobIds.of(id));
        values.put("tenantId", "default");
        values.put("type", "csv_validation");
        values.put("source", "api");
        values.put("status", completedAt == null ? JobStatus.RUNNING : JobStatus.SUCCESS);
        values.put("priority", Priority.NORMAL);
        values.put("lane", "normal");
        values.put("payloadJson", "{}");
        values.put("payloadSizeBytes", 120L);
        values.put("correlationId", JobIds.of(id));
        values.put("parentJobId", parent);
        values.put("marketplace", marketplace);
        values.put("category", category);
        values.put("region", region);
        values.put("attempts", 1);
        values.put("retryCount", 1);
        values.put("maxAttempts", 3);
        values.put("errorsJson", "[]");
        values.put("createdAt", created);
        values.put("updatedAt", created);
        values.put("runAt", created);
        values.put("startedAt", created.plusSeconds(1));
        values.put("completedAt", completedAt);
        return JobRecords.job(values);
    }
}
