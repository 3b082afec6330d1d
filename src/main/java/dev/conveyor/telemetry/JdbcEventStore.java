package dev.conveyor.telemetry;

import java.sql.Timestamp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Writes events to the job_events table (and a structured log line at DEBUG). */
@Component
public class JdbcEventStore implements Telemetry {

    private static final Logger log = LoggerFactory.getLogger("dev.conveyor.events");

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public JdbcEventStore(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @Override
    public void emit(JobEvent event) {
        String payload;
        try {
            payload = json.writeValueAsString(event.envelope());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event " + event.eventType() + " cannot be serialised", e);
        }
        jdbc.update("INSERT INTO job_events (event_id, event_type, job_id, created_at, payload) "
                        + "VALUES (?, ?, ?, ?, CAST(? AS jsonb))",
                event.eventId(), event.eventType(), event.jobId(), Timestamp.from(event.timestamp()), payload);
        if (log.isDebugEnabled()) {
            log.debug(payload);
        }
    }
}
