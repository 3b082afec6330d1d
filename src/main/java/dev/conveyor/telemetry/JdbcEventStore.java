package dev.conveyor.telemetry;

import java.io.IOException;
import java.sql.Timestamp;
import java.util.List;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.TelemetryProperties;
import dev.conveyor.job.JobEvent;
import dev.conveyor.job.JobEventLog;
import dev.conveyor.telemetry.sinks.EventSinks;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes events to the job_events table, in the caller's transaction, and once that commits hands the same JSON
 * to the asynchronous sinks ({@link EventSinks}: log, Kafka, HTTP), which never hold the caller up. With
 * {@code conveyor.telemetry.validate-events} on, each event is first checked against its schema in
 * {@code schemas/events} ({@link EventSchemas}: the jar's, or SCHEMAS_DIR's) and one that breaks it is refused with an
 * {@link IllegalStateException}, which rolls back the state change it describes: meant for tests and staging.
 */
@Component
public class JdbcEventStore implements JobEventLog {

    private static final Logger self = LoggerFactory.getLogger(JdbcEventStore.class);

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    /** Null unless events are validated. */
    private final EventSchemas schemas;
    private final JobMetrics metrics;
    private final EventSinks sinks;

    public JdbcEventStore(JdbcTemplate jdbc, ObjectMapper json, ConveyorProperties properties,
                          TelemetryProperties telemetry, JobMetrics metrics, EventSinks sinks) {
        boolean validateEvents = telemetry.validateEvents();
        this.jdbc = jdbc;
        this.sinks = sinks;
        this.json = json;
        this.metrics = metrics;
        this.schemas = validateEvents ? EventSchemas.load(properties.schemasDir()) : null;
        if (validateEvents) {
            self.info("every event is validated against its schema in {} before it is written",
                    EventSchemas.location(properties.schemasDir()));
        }
    }

    @Override
    public void emit(JobEvent event) {
        String payload;
        try {
            payload = text(event.envelope());
        } catch (IOException e) {
            throw new IllegalStateException("event " + event.eventType() + " cannot be serialised", e);
        }
        if (schemas != null) {
            check(event, payload);
        }
        jdbc.update("INSERT INTO job_events (event_id, event_type, job_id, created_at, payload) "
                        + "VALUES (?, ?, ?, ?, CAST(? AS jsonb))",
                event.eventId(), event.eventType(), event.jobId(), Timestamp.from(event.timestamp()), payload);
        metrics.eventEmitted(event.eventType());
        if (sinks.any()) {
            Object partitionKey = event.envelope().get("partition_key");
            AfterCommit.run(() -> sinks.offer(payload, partitionKey == null ? null : partitionKey.toString()));
        }
    }

    /**
     * As {@link #emit} for each event, with one {@code COPY} for them all: each envelope's JSON is written straight
     * into the rows COPY reads ({@link CopyText}), with no intermediate text and no array parameters to encode and
     * parse again (the multi-row INSERT from {@code unnest} arrays this replaced, with Jackson's map serializer, was
     * about a third of the service's CPU samples in a W0 profile; docs/benchmarks.md, "A set's events by COPY", has
     * what it bought). The text of an event is made only when something reads it: the schema check, or a sink.
     */
    @Override
    public void emitAll(List<JobEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        boolean textNeeded = schemas != null || sinks.any();
        String[] payloads = textNeeded ? new String[events.size()] : null;
        CopyText rows = new CopyText();
        try (JsonGenerator out = json.getFactory().createGenerator((java.io.OutputStream) rows)) {
            out.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            out.setRootValueSeparator(null);
            for (int i = 0; i < events.size(); i++) {
                JobEvent event = events.get(i);
                if (textNeeded) {
                    // the same writer as the rows' below, so the text checked and offered is the JSON written
                    payloads[i] = text(event.envelope());
                    if (schemas != null) {
                        check(event, payloads[i]);
                    }
                }
                rows.column(event.eventId().toString()).column(event.eventType()).column(event.jobId())
                        .column(event.timestamp().toString()).startColumn();
                EnvelopeJson.write(out, event.envelope());
                out.flush();
                rows.endRow();
            }
        } catch (IOException e) {
            throw new IllegalStateException("events cannot be serialised", e);
        }
        jdbc.execute((ConnectionCallback<Long>) con -> {
            CopyIn copy = con.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY job_events (event_id, event_type, job_id, created_at, payload) FROM STDIN");
            try {
                copy.writeToCopy(rows.buffer(), 0, rows.length());
                return copy.endCopy();
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        });
        for (int i = 0; i < events.size(); i++) {
            JobEvent event = events.get(i);
            metrics.eventEmitted(event.eventType());
            if (sinks.any()) {
                String payload = payloads[i];
                Object partitionKey = event.envelope().get("partition_key");
                AfterCommit.run(() -> sinks.offer(payload, partitionKey == null ? null : partitionKey.toString()));
            }
        }
    }

    private String text(java.util.Map<String, Object> envelope) throws IOException {
        java.io.StringWriter text = new java.io.StringWriter(512);
        try (JsonGenerator out = json.getFactory().createGenerator(text)) {
            EnvelopeJson.write(out, envelope);
        }
        return text.toString();
    }

    /** Validates what is written, the serialised text, not the map it came from. */
    private void check(JobEvent event, String payload) {
        List<String> violations;
        try {
            violations = schemas.violations(json.readTree(payload));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event " + event.eventType() + " is not JSON: " + payload, e);
        }
        if (!violations.isEmpty()) {
            String message = "event " + event.eventType() + " of " + event.jobId() + " breaks its schema "
                    + EventSchemas.fileName(event.eventType()) + ": " + String.join("; ", violations)
                    + " (event: " + payload + ")";
            self.error(message);
            throw new IllegalStateException(message);
        }
    }
}
