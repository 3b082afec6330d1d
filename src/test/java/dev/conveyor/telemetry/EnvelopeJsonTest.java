package dev.conveyor.telemetry;

import java.io.StringWriter;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.conveyor.job.EventType;
import dev.conveyor.job.JobEvents;
import dev.conveyor.support.JobRecords;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The envelope writer gives, character for character, what the service's ObjectMapper gives for the same map. */
class EnvelopeJsonTest {

    /** Configured as application.yaml's spring.jackson configures the service's. */
    private static final ObjectMapper SERVICE_MAPPER = JsonMapper.builder()
            .findAndAddModules()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private static String written(Object value) throws Exception {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = SERVICE_MAPPER.getFactory().createGenerator(text)) {
            EnvelopeJson.write(out, value);
        }
        return text.toString();
    }

    @Test
    void aLifecycleEventsEnvelopeIsWrittenAsTheMapperWritesIt() throws Exception {
        var job = JobRecords.job(Map.of("jobId", "job_" + "a".repeat(32), "type", "csv_validation", "tenantId", "acme",
                "marketplace", "tab\there \\ back\nline \"quoted\" ünï 😀", "payloadSizeBytes", 42L,
                "createdAt", Instant.parse("2026-12-01T10:00:00Z"), "completedAt", Instant.parse("2026-12-01T10:00:01.5Z"),
                "attempts", 1));
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("processing_time_ms", 12L);
        metrics.put("error_rate", 0.25);
        metrics.put("errors_by_field", Map.of("sku", 3));
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("class", "java.lang.IllegalStateException");
        error.put("message", "line 1\nline 2\t\u0001");
        var envelope = JobEvents.of(EventType.FAILED, job, metrics, error).envelope();

        assertThat(envelope).containsEntry("correlation_id", null);
        assertThat(written(envelope)).isEqualTo(SERVICE_MAPPER.writeValueAsString(envelope));
    }

    @Test
    void everyKindOfValueIsWrittenAsTheMapperWritesIt() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "x");
        value.put("int", 7);
        value.put("long", Long.MAX_VALUE);
        value.put("double", 1.5e-7);
        value.put("true", true);
        value.put("null", null);
        value.put("list", Arrays.asList(1, "two", null, List.of(3), Map.of("k", "v")));
        value.put("nested", Map.of("inner", Map.of("deeper", 1)));
        value.put("instant", Instant.parse("2026-12-01T10:00:00.123456Z"));

        assertThat(written(value)).isEqualTo(SERVICE_MAPPER.writeValueAsString(value));
    }
}
