package dev.conveyor.worker;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RouteSignals;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker route (routes/workers.camel.yaml), watched with Camel's NotifyBuilder: when a lane's worker route is
 * done with a message, the job's ending, its events and its follow-ups are all written, and a message for a job
 * that is not the worker's to claim is dropped without running anything.
 */
@ConveyorIntegrationTest
class WorkerRouteTest extends RunningServiceTest {

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate producer;

    @Test
    void whenTheWorkerRouteIsDoneTheJobsEndingAndEventsAreWritten() {
        NotifyBuilder done = RouteSignals.workerFinished(camel, "route_mkt", 1);
        String jobId = api.submit(CsvJobs.inline("route_mkt", "toys", CsvJobs.TWO_BAD_ROWS));

        assertThat(done.matches(30, TimeUnit.SECONDS)).as("a worker route finished the job").isTrue();

        // read once, without waiting: the route's steps have all run
        JsonNode job = api.job(jobId);
        assertThat(job.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        assertThat(job.get("result").get("error_rows").asLong()).isEqualTo(2);
        assertThat(events(jobId)).containsExactly("job.queued", "job.started", "job.completed");
    }

    @Test
    void aSecondMessageForAFinishedJobIsDroppedWithoutRunningIt() {
        NotifyBuilder done = RouteSignals.workerFinished(camel, "again_mkt", 1);
        String jobId = api.submit(CsvJobs.inline("again_mkt", "toys", CsvJobs.CLEAN));
        assertThat(done.matches(30, TimeUnit.SECONDS)).isTrue();
        JsonNode finished = api.job(jobId);
        List<String> eventsBefore = events(jobId);

        // the same job id once more on its lane, as a broker delivering a message twice would
        NotifyBuilder dropped = RouteSignals.workerDoneWith(camel, jobId, 1);
        producer.sendBody(camel.resolvePropertyPlaceholders(
                "{{conveyor.queue.lane." + finished.get("lane").asText() + ".publish}}"), jobId);

        assertThat(dropped.matches(10, TimeUnit.SECONDS)).as("the worker route took the message").isTrue();
        JsonNode after = api.job(jobId);
        assertThat(after.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(after.get("attempts").asInt()).isEqualTo(finished.get("attempts").asInt());
        assertThat(after.get("updated_at").asText()).isEqualTo(finished.get("updated_at").asText());
        assertThat(events(jobId)).isEqualTo(eventsBefore);
    }

    @Test
    void aMessageCarryingASetOfJobsThatAreNoLongerClaimableIsDroppedWhole() {
        NotifyBuilder done = RouteSignals.workerFinished(camel, "set_mkt", 2);
        String first = api.submit(CsvJobs.inline("set_mkt", "toys", CsvJobs.CLEAN));
        String second = api.submit(CsvJobs.inline("set_mkt", "toys", CsvJobs.CLEAN));
        assertThat(done.matches(30, TimeUnit.SECONDS)).as("worker routes finished both jobs").isTrue();
        JsonNode firstFinished = api.job(first);
        List<String> firstEvents = events(first);
        List<String> secondEvents = events(second);

        // both ids in one message, as the dispatcher publishes a set on the memory backend, and the first twice
        NotifyBuilder dropped = RouteSignals.workerDoneWith(camel, first, 1);
        producer.sendBody(camel.resolvePropertyPlaceholders(
                "{{conveyor.queue.lane." + firstFinished.get("lane").asText() + ".publish}}"),
                List.of(first, second, first));

        assertThat(dropped.matches(10, TimeUnit.SECONDS)).as("the worker route took the message").isTrue();
        assertThat(api.job(first).get("attempts").asInt()).isEqualTo(firstFinished.get("attempts").asInt());
        assertThat(api.job(second).get("status").asText()).isEqualTo("SUCCESS");
        assertThat(events(first)).isEqualTo(firstEvents);
        assertThat(events(second)).isEqualTo(secondEvents);
    }

    private List<String> events(String jobId) {
        return jdbc.queryForList("SELECT event_type FROM job_events WHERE job_id = ? ORDER BY created_at",
                String.class, jobId);
    }
}
