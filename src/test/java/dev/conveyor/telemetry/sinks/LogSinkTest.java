package dev.conveyor.telemetry.sinks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import dev.conveyor.telemetry.EventSchemas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The log sink: each event of a job becomes exactly one INFO line on logger dev.conveyor.events whose message is
 * the event's JSON, the same as its job_events row.
 */
@ConveyorIntegrationTest
class LogSinkTest extends RunningServiceTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    EventSinks sinks;

    final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    final Logger eventsLogger = (Logger) LoggerFactory.getLogger("dev.conveyor.events");

    @BeforeEach
    void captureTheEventsLogger() {
        lines.start();
        eventsLogger.addAppender(lines);
    }

    @AfterEach
    void release() {
        eventsLogger.detachAppender(lines);
    }

    @Test
    void eachEventOfAJobIsOneJsonLineAtInfoEqualToItsStoredRow() throws Exception {
        String success = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        String failed = api.submit(CsvJobs.inline("sku,title,cost,quantity\nA,B,1,2\n"));
        api.awaitFinished(success);
        api.awaitFinished(failed);
        EventSchemas schemas = EventSchemas.load(Path.of("schemas"));

        for (String jobId : List.of(success, failed)) {
            List<JsonNode> stored = jdbc.query("SELECT payload::text FROM job_events WHERE job_id = ? "
                    + "ORDER BY created_at, event_id", (rs, i) -> parse(rs.getString(1)), jobId);
            assertThat(stored).hasSize(3);
            await().atMost(Duration.ofSeconds(10)).until(() -> linesOf(jobId).size() >= stored.size());

            List<ILoggingEvent> logged = linesOf(jobId);
            assertThat(logged).as("one line per event").hasSize(stored.size());
            for (ILoggingEvent line : logged) {
                assertThat(line.getLevel()).isEqualTo(Level.INFO);
                assertThat(line.getFormattedMessage()).doesNotContain("\n");
                JsonNode event = parse(line.getFormattedMessage());
                assertThat(schemas.violations(event)).isEmpty();
            }
            assertThat(logged.stream().map(line -> parse(line.getFormattedMessage())).toList())
                    .containsExactlyInAnyOrderElementsOf(stored);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sinks.backlog("log") == 0);
    }

    private List<ILoggingEvent> linesOf(String jobId) {
        return lines.list.stream()
                .filter(line -> line.getFormattedMessage().contains("\"job_id\":\"" + jobId + "\""))
                .toList();
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not one JSON value: " + text, e);
        }
    }
}
