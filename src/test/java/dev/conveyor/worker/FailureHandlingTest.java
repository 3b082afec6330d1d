package dev.conveyor.worker;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.MutableClock;
import dev.conveyor.support.RouteSignals;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.seda.SedaEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What happens when things go wrong: transient failures are retried with backoff, permanent ones fail at
 * once, exhausted jobs are dead-lettered and can be replayed, FAILED jobs retried by hand, jobs cancelled
 * before or during a run, and jobs of a dead worker recovered from their expired lease.
 */
@ConveyorIntegrationTest
class FailureHandlingTest extends RunningServiceTest {

    @Autowired
    CamelContext camel;

    @Autowired
    MutableClock clock;

    @Autowired
    JobLifecycle lifecycle;

    @BeforeEach
    void setUp() {
        FlakyProcessor.HEALTHY.set(false);
    }

    @AfterEach
    void restoreTheBrokenWorld() {
        // other test classes in this JVM expect test_flaky to fail
        FlakyProcessor.HEALTHY.set(false);
    }

    @Test
    void aTransientFailureIsRetriedWithBackoffUntilItSucceeds() {
        String jobId = api.submit(flaky("transient", 2));

        JsonNode job = api.awaitFinished(jobId);

        assertThat(job.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(job.get("retry_count").asInt()).isEqualTo(2);
        assertThat(job.get("attempts").asInt()).isEqualTo(3);
        assertThat(job.get("errors")).hasSize(2);
        assertThat(job.get("errors").get(0).get("attempt").asInt()).isEqualTo(1);
        assertThat(job.get("errors").get(1).get("attempt").asInt()).isEqualTo(2);
        assertThat(job.get("errors").get(0).get("exception").asText()).isEqualTo("java.io.IOException");
        assertThat(job.get("errors").get(0).get("retry_in_ms").asLong()).isBetween(25L, 50L);
        assertThat(eventTypes(jobId)).containsExactly("job.queued", "job.started", "job.retrying", "job.started",
                "job.retrying", "job.started", "job.completed");
        JsonNode retrying = Api.json(api.get("/jobs/" + jobId + "/events")).get("events").get(2);
        assertThat(retrying.get("retry_count").asInt()).isEqualTo(1);
        assertThat(retrying.get("error").get("message").asText()).contains("503");
    }

    @Test
    void aPermanentFailureFailsAtOnceWithoutARetry() {
        String jobId = api.submit(flaky("permanent", 5));

        JsonNode job = api.awaitFinished(jobId);

        assertThat(job.get("status").asText()).isEqualTo("FAILED");
        assertThat(job.get("retry_count").asInt()).isZero();
        assertThat(job.get("error_message").asText()).contains("does not exist");
        assertThat(eventTypes(jobId)).containsExactly("job.queued", "job.started", "job.failed");
    }

    @Test
    void exhaustedAttemptsEndInTheDeadLetterChannelAndAReplaySucceedsOnceTheCauseIsFixed() {
        long laneBefore = deadLetterLaneSize();
        String jobId = api.submit(flaky("transient", 99));

        JsonNode job = api.awaitFinished(jobId);

        assertThat(job.get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(job.get("attempts").asInt()).isEqualTo(3);
        assertThat(job.get("retry_count").asInt()).isEqualTo(2);
        assertThat(job.get("errors")).hasSize(3);
        assertThat(eventTypes(jobId)).endsWith("job.dead_lettered");
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetterLaneSize() == laneBefore + 1);

        JsonNode deadLetters = Api.json(api.get("/dead-letters?type=test_flaky")).get("dead_letters");
        JsonNode entry = find(deadLetters, jobId);
        assertThat(entry.get("attempts").asInt()).isEqualTo(3);
        assertThat(entry.get("last_stack_trace").asText()).contains("java.io.IOException");
        assertThat(Api.json(entry.get("errors").asText())).hasSize(3);
        assertThat(Api.json(api.get("/dead-letters?type=csv_validation")).get("dead_letters")).isEmpty();

        FlakyProcessor.HEALTHY.set(true);
        HttpResponse<String> replay = api.post("/dead-letters/" + entry.get("id").asLong() + "/replay", null,
                java.net.http.HttpRequest.BodyPublishers.noBody());
        assertThat(replay.statusCode()).isEqualTo(202);

        assertThat(api.awaitFinished(jobId).get("status").asText()).isEqualTo("SUCCESS");
        assertThat(find(Api.json(api.get("/dead-letters")).get("dead_letters"), jobId).get("replay_count").asInt())
                .isEqualTo(1);
        HttpResponse<String> again = api.post("/dead-letters/" + entry.get("id").asLong() + "/replay", null,
                java.net.http.HttpRequest.BodyPublishers.noBody());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(api.post("/dead-letters/999999/replay", null, java.net.http.HttpRequest.BodyPublishers.noBody())
                .statusCode()).isEqualTo(404);
    }

    @Test
    void aFailedJobCanBeRetriedByHandAndAFinishedOneCannot() {
        String jobId = api.submit(flaky("permanent", 1));
        assertThat(api.awaitFinished(jobId).get("status").asText()).isEqualTo("FAILED");

        HttpResponse<String> retry = post("/jobs/" + jobId + "/retry");
        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(Api.json(retry).get("status").asText()).isEqualTo("QUEUED");

        // attempts are counted afresh: attempt 1 fails again, so the fixed world is what makes it pass
        JsonNode failedAgain = api.awaitFinished(jobId);
        assertThat(failedAgain.get("status").asText()).isEqualTo("FAILED");
        FlakyProcessor.HEALTHY.set(true);
        assertThat(post("/jobs/" + jobId + "/retry").statusCode()).isEqualTo(202);
        assertThat(api.awaitFinished(jobId).get("status").asText()).isEqualTo("SUCCESS");

        assertThat(post("/jobs/" + jobId + "/retry").statusCode()).isEqualTo(409);
        assertThat(post("/jobs/job_0123456789abcdef0123456789abcdef/retry").statusCode()).isEqualTo(404);
    }

    @Test
    void aJobCancelledBeforeItRunsNeverRuns() {
        // due in 50 s, within a lease: moving the shared service's clock there leaves its leases alone
        Duration wait = Duration.ofSeconds(50);
        String body = flaky("transient", 0).replaceFirst("\\{", "{\"run_at\":\"" + java.time.Instant.now()
                .plus(wait) + "\",");
        String jobId = api.submit(body);

        HttpResponse<String> cancel = post("/jobs/" + jobId + "/cancel");

        assertThat(cancel.statusCode()).isEqualTo(202);
        assertThat(Api.json(cancel).get("status").asText()).isEqualTo("CANCELLED");
        clock.advance(wait);
        // a whole dispatcher pass after the job fell due: it takes every due job it may, so not taking this one
        // is its answer, with no need to wait a while and watch
        NotifyBuilder pass = RouteSignals.dispatcherPassAfterNow(camel);
        assertThat(pass.matches(10, TimeUnit.SECONDS)).as("the dispatcher ran").isTrue();
        assertThat(jdbc.queryForObject("SELECT dispatched_at IS NULL FROM jobs WHERE job_id = ?", Boolean.class,
                jobId)).as("never taken for a lane").isTrue();
        assertThat(api.job(jobId).get("attempts").asInt()).isZero();
        assertThat(api.job(jobId).get("status").asText()).isEqualTo("CANCELLED");
        assertThat(eventTypes(jobId)).containsExactly("job.queued", "job.cancelled");
        assertThat(post("/jobs/" + jobId + "/cancel").statusCode()).isEqualTo(409);
    }

    @Test
    void aRunningJobStopsAtItsNextCheckpointWhenCancelled() {
        String jobId = api.submit(flaky("slow", 0));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.job(jobId).get("progress").asInt() > 0);

        HttpResponse<String> cancel = post("/jobs/" + jobId + "/cancel");

        assertThat(cancel.statusCode()).isEqualTo(202);
        assertThat(Api.json(cancel).get("cancel_requested").asBoolean()).isTrue();
        JsonNode job = api.awaitFinished(jobId, Duration.ofSeconds(10));
        assertThat(job.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(job.get("progress").asInt()).isLessThan(100);
        // its lifecycle: started, then cancelled (job.progress events, one a second in tests, may come between)
        assertThat(eventTypes(jobId)).filteredOn(type -> !type.equals("job.progress"))
                .endsWith("job.started", "job.cancelled");
    }

    @Test
    void anAttemptOverItsTimeLimitIsStoppedAndRetriedThenDeadLettered() {
        String jobId = api.submit(flaky("slow", 0).replace("\"test_flaky\"", "\"test_flaky_limited\""));

        JsonNode job = api.awaitFinished(jobId, Duration.ofSeconds(30));

        assertThat(job.get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(job.get("errors")).hasSize(3);
        assertThat(job.get("errors").get(0).get("exception").asText())
                .isEqualTo(JobTimedOutException.class.getName());
        assertThat(job.get("error_message").asText()).contains("time limit of PT2S");
        assertThat(job.get("progress").asInt()).isLessThan(100);
    }

    @Test
    void aJobWhoseWorkerDiedIsRecoveredFromItsExpiredLeaseAndFinishedOnce() {
        String jobId = claimedByAWorkerThatDies(1);
        // within its lease the job is its worker's: a whole pass of the reaper leaves it alone
        NotifyBuilder reaperPass = RouteSignals.leaseReaperPassAfterNow(camel);
        assertThat(reaperPass.matches(10, TimeUnit.SECONDS)).as("the reaper ran").isTrue();
        assertThat(api.job(jobId).get("status").asText()).isEqualTo("RUNNING");

        clock.advance(lease().plusSeconds(1));
        JsonNode job = api.awaitFinished(jobId);

        assertThat(job.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(job.get("retry_count").asInt()).isEqualTo(1);
        assertThat(job.get("errors").get(0).get("exception").asText()).isEqualTo("LeaseExpired");
        assertThat(eventTypes(jobId).stream().filter("job.completed"::equals).count()).isEqualTo(1);
    }

    @Test
    void aLeaseThatExpiresOnTheLastAttemptDeadLettersTheJob() {
        String jobId = claimedByAWorkerThatDies(3);

        clock.advance(lease().plusSeconds(1));
        JsonNode job = api.awaitFinished(jobId);

        assertThat(job.get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(find(Api.json(api.get("/dead-letters")).get("dead_letters"), jobId).get("last_error").asText())
                .contains("lease expired");
    }

    /**
     * What a worker killed mid-job leaves behind: the job claimed for its attempt {@code attempt} (of 3), RUNNING
     * under a lease that nobody extends. Its lease runs out when the test moves the clock past it.
     */
    private String claimedByAWorkerThatDies(int attempt) {
        // due in an hour, so no lane consumer claims it before the dying worker does
        String jobId = api.submit(flaky("transient", 0).replaceFirst("\\{", "{\"run_at\":\""
                + java.time.Instant.now().plusSeconds(3600) + "\","));
        jdbc.update("UPDATE jobs SET attempts = ? WHERE job_id = ?", attempt - 1, jobId);
        assertThat(lifecycle.claim(jobId, "normal")).get().extracting(Job::attempts).isEqualTo(attempt);
        return jobId;
    }

    private Duration lease() {
        return Duration.ofSeconds(properties.worker().leaseSeconds());
    }

    private HttpResponse<String> post(String path) {
        return api.post(path, null, java.net.http.HttpRequest.BodyPublishers.noBody());
    }

    private long deadLetterLaneSize() {
        return camel.getEndpoints().stream().filter(e -> e instanceof SedaEndpoint s
                        && s.getName().equals("conveyor.dead-letter"))
                .mapToLong(e -> ((SedaEndpoint) e).getCurrentQueueSize()).sum();
    }

    private List<String> eventTypes(String jobId) {
        return jdbc.queryForList("SELECT event_type FROM job_events WHERE job_id = ? ORDER BY created_at",
                String.class, jobId);
    }

    private static JsonNode find(JsonNode list, String jobId) {
        for (JsonNode item : list) {
            if (item.get("job_id").asText().equals(jobId)) {
                return item;
            }
        }
        throw new AssertionError(jobId + " not in " + list);
    }

    private static String flaky(String mode, int failTimes) {
        return "{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"" + mode + "\",\"fail_times\":" + failTimes + "}}";
    }
}
