package dev.conveyor.telemetry;

import dev.conveyor.job.JobEvent;
import dev.conveyor.job.JobEventLog;
import java.sql.Timestamp;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.TelemetryProperties;
import dev.conveyor.telemetry.sinks.EventSinks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
            payload = json.writeValueAsString(event.envelope());
        } catch (JsonProcessingException e) {
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

    /** As {@link #emit} for each event, with one multi-row INSERT for them all. */
    @Override
    public void emitAll(List<JobEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        int n = events.size();
        java.util.UUID[] ids = new java.util.UUID[n];
        String[] types = new String[n];
        String[] jobIds = new String[n];
        Timestamp[] times = new Timestamp[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            JobEvent event = events.get(i);
            try {
                payloads[i] = json.writeValueAsString(event.envelope());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("event " + event.eventType() + " cannot be serialised", e);
            }
            if (schemas != null) {
                check(event, payloads[i]);
            }
            ids[i] = event.eventId();
            types[i] = event.eventType();
            jobIds[i] = event.jobId();
            times[i] = Timestamp.from(event.timestamp());
        }
        jdbc.update(con -> {
            java.sql.PreparedStatement ps = con.prepareStatement("INSERT INTO job_events (event_id, event_type, "
                    + "job_id, created_at, payload) SELECT event_id, event_type, job_id, created_at, "
                    + "CAST(payload AS jsonb) FROM unnest(?::uuid[], ?::text[], ?::text[], ?::timestamptz[], "
                    + "?::text[]) AS t(event_id, event_type, job_id, created_at, payload)");
            ps.setArray(1, con.createArrayOf("uuid", ids));
            ps.setArray(2, con.createArrayOf("text", types));
            ps.setArray(3, con.createArrayOf("text", jobIds));
            ps.setArray(4, con.createArrayOf("timestamptz", times));
            ps.setArray(5, con.createArrayOf("text", payloads));
            return ps;
        });
        for (int i = 0; i < n; i++) {
            metrics.eventEmitted(types[i]);
            if (sinks.any()) {
                String payload = payloads[i];
                Object partitionKey = events.get(i).envelope().get("partition_key");
                AfterCommit.run(() -> sinks.offer(payload, partitionKey == null ? null : partitionKey.toString()));
            }
        }
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
