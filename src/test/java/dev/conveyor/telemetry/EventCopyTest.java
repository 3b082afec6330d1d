package dev.conveyor.telemetry;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.EventType;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobEvent;
import dev.conveyor.job.JobEventLog;
import dev.conveyor.job.JobEvents;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.JobRecords;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A set's events reach job_events through one COPY, exactly as they were made, whatever characters they hold. */
@ConveyorIntegrationTest
class EventCopyTest extends RunningServiceTest {

    /** Every character COPY's text format or JSON treats specially, and some that are several bytes long. */
    private static final String HOSTILE = "tab\there \\N back\\slash\nnew line\r\n \"quoted\" ünï 😀 \u0001 end\\";

    @Autowired
    JobEventLog events;

    @Autowired
    TransactionTemplate tx;

    @Autowired
    ObjectMapper json;

    private static Job job(String marketplace) {
        return JobRecords.job(Map.of("jobId", "job_" + UUID.randomUUID().toString().replace("-", ""),
                "type", "csv_validation", "tenantId", "copy-test", "marketplace", marketplace,
                "category", "c\tat", "payloadSizeBytes", 7L, "attempts", 1,
                "createdAt", Instant.parse("2026-12-01T10:00:00Z"),
                "completedAt", Instant.parse("2026-12-01T10:00:02.250Z")));
    }

    @Test
    void eachEventOfASetIsStoredAsItsEnvelopeWithItsIdTypeJobAndTime() throws Exception {
        Job first = job(HOSTILE);
        Job second = job("plain");
        List<JobEvent> set = List.of(
                JobEvents.of(EventType.STARTED, first, null, null),
                JobEvents.of(EventType.COMPLETED, first, Map.of("processing_time_ms", 5L), null),
                JobEvents.of(EventType.FAILED, second, Map.of("processing_time_ms", 1L),
                        Map.of("type", "Boom", "message", HOSTILE)));

        tx.executeWithoutResult(status -> events.emitAll(set));

        for (JobEvent event : set) {
            Map<String, Object> row = jdbc.queryForMap("SELECT event_type, job_id, created_at, payload::text AS payload "
                    + "FROM job_events WHERE event_id = ?", event.eventId());
            assertThat(row.get("event_type")).isEqualTo(event.eventType());
            assertThat(row.get("job_id")).isEqualTo(event.jobId());
            assertThat(((java.sql.Timestamp) row.get("created_at")).toInstant()).isEqualTo(event.timestamp());
            // as trees, read from text both: jsonb keeps its keys in an order of its own
            assertThat(json.readTree((String) row.get("payload")))
                    .isEqualTo(json.readTree(json.writeValueAsString(event.envelope())));
        }
        assertThat(jdbc.queryForObject("SELECT payload->>'marketplace' FROM job_events WHERE event_id = ?",
                String.class, set.get(0).eventId())).isEqualTo(HOSTILE);
    }

    @Test
    void theSetsEventsRollBackWithTheTransactionTheyBelongTo() {
        Job job = job("rolled back");
        JobEvent event = JobEvents.of(EventType.STARTED, job, null, null);

        assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
            events.emitAll(List.of(event));
            throw new IllegalStateException("the state change failed after its events were written");
        })).hasMessageContaining("state change failed");

        assertThat(jdbc.queryForObject("SELECT count(*) FROM job_events WHERE job_id = ?", Long.class, job.jobId()))
                .isZero();
    }

    @Test
    void anEventThatBreaksItsSchemaIsRefusedAndNoneOfItsSetIsWritten() {
        Job job = job("schema");
        JobEvent good = JobEvents.of(EventType.STARTED, job, null, null);
        // job.completed must carry processing_time_ms in its metrics
        JobEvent bad = JobEvents.of(EventType.COMPLETED, job, null, null);

        assertThatThrownBy(() -> tx.executeWithoutResult(status -> events.emitAll(List.of(good, bad))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("breaks its schema");

        assertThat(jdbc.queryForObject("SELECT count(*) FROM job_events WHERE job_id = ?", Long.class, job.jobId()))
                .isZero();
    }
}
