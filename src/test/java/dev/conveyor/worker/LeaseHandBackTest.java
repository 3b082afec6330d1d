package dev.conveyor.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.IllegalJobTransitionException;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobOutcome;
import dev.conveyor.job.JobStatus;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import dev.conveyor.telemetry.EventSchemas;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The lease hand-back at shutdown goes through the lifecycle: the job is QUEUED again with a job.requeued event
 * (valid against its schema), the interrupted attempt not counted, and it then runs to the end; and the
 * lifecycle refuses a transition its table forbids instead of changing nothing in silence.
 */
@ConveyorIntegrationTest
class LeaseHandBackTest extends RunningServiceTest {

    @Autowired
    JobLifecycle lifecycle;

    @Autowired
    LeaseHandBack handBack;

    @Test
    void aJobHandedBackAtShutdownIsQueuedAgainWithARequeuedEventAndThenRuns() {
        String jobId = notYetDueJob();
        Job claimed = lifecycle.claim(jobId, "normal").orElseThrow();
        assertThat(claimed.status()).isEqualTo(JobStatus.RUNNING);

        handBack.handBackUnfinished();

        await().atMost(Duration.ofSeconds(10)).until(() -> eventTypes(jobId).contains("job.requeued"));
        assertThat(eventTypes(jobId)).startsWith("job.queued", "job.started", "job.requeued");
        JsonNode requeued = event(jobId, "job.requeued");
        assertThat(EventSchemas.load(Path.of("schemas")).violations(requeued)).isEmpty();
        assertThat(requeued.has("error")).isFalse();
        assertThat(requeued.get("job_execution_id").asText()).as("the interrupted attempt is run again")
                .isEqualTo(event(jobId, "job.started").get("job_execution_id").asText());

        // back in the queue and due now, it runs to the end, its interrupted attempt not counted
        JsonNode done = api.awaitFinished(jobId);
        assertThat(done.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
        assertThat(eventTypes(jobId)).containsExactly("job.queued", "job.started", "job.requeued", "job.started",
                "job.completed");
    }

    @Test
    void anIllegalTransitionIsRefusedLoudlyAndChangesNothing() {
        String jobId = notYetDueJob();
        Job cancelled = lifecycle.claim(jobId, "normal").flatMap(running -> lifecycle.cancelled(running)).orElseThrow();
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);

        assertThatThrownBy(() -> lifecycle.finish(cancelled, JobOutcome.success(Map.of("rows", 1))))
                .isInstanceOf(IllegalJobTransitionException.class)
                .hasMessageContaining(jobId).hasMessageContaining("CANCELLED -> SUCCESS");
        assertThatThrownBy(() -> lifecycle.retry(cancelled, "boom", "X", Duration.ZERO))
                .isInstanceOf(IllegalJobTransitionException.class).hasMessageContaining("CANCELLED -> RETRYING");

        assertThat(jdbc.queryForObject("SELECT status FROM jobs WHERE job_id = ?", String.class, jobId))
                .isEqualTo("CANCELLED");
        assertThat(eventTypes(jobId)).containsExactly("job.queued", "job.started", "job.cancelled");
    }

    /** A job due in an hour, so no lane consumer takes it before the test claims it by hand. */
    private String notYetDueJob() {
        String later = "{\"run_at\":\"" + Instant.now().plusSeconds(3600) + "\",";
        return api.submit(CsvJobs.inline(CsvJobs.CLEAN).replaceFirst("\\{", later));
    }

    private List<String> eventTypes(String jobId) {
        return jdbc.queryForList("SELECT event_type FROM job_events WHERE job_id = ? ORDER BY created_at",
                String.class, jobId);
    }

    private JsonNode event(String jobId, String type) {
        return Api.json(jdbc.queryForObject("SELECT payload::text FROM job_events WHERE job_id = ? AND event_type = ? "
                + "ORDER BY created_at LIMIT 1", String.class, jobId, type));
    }
}
