package dev.conveyor.telemetry;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** A job's events as stored in job_events, oldest first: what happened to it, attempt by attempt. */
@Component
public class EventHistory {

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public EventHistory(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public List<JsonNode> of(String jobId) {
        return jdbc.query("SELECT payload::text FROM job_events WHERE job_id = ? ORDER BY created_at, event_id",
                (rs, i) -> parse(rs.getString(1)), jobId);
    }

    private JsonNode parse(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored event does not parse", e);
        }
    }
}
