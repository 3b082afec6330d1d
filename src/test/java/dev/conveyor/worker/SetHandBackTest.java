package dev.conveyor.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.MutableClock;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker runs its set's jobs one after the other, and the dispatcher fills sets by each type's average attempt,
 * which can be wrong for one job: the jobs waiting behind one that has run {@code set-hand-back-after-ms} (1 s) are
 * handed back to the queue and run by idle workers, each once, instead of waiting out the long one.
 */
@ConveyorIntegrationTest
class SetHandBackTest extends RunningServiceTest {

    @Autowired
    JobLifecycle lifecycle;

    @Autowired
    JobWorker worker;

    @Autowired
    MutableClock clock;

    @Test
    void theJobsWaitingBehindALongOneAreHandedBackAndRunElsewhereOnce() throws Exception {
        handedBackBehindALongJob("test_flaky");
    }

    @Test
    void jobsOfAnotherTypeWaitingInALaterGroupOfTheSetAreHandedBackToo() throws Exception {
        // the set runs type group by type group: the quick test_flaky_limited jobs wait behind the whole test_flaky
        // group, here the long job alone
        handedBackBehindALongJob("test_flaky_limited");
    }

    private void handedBackBehindALongJob(String quickType) throws Exception {
        // not due for a day, so the dispatcher leaves them alone: this test claims them itself, as one set, the long
        // job first (test_flaky "slow" works for 10 s; "transient" with fail_times 0 succeeds at once)
        String later = clock.instant().plus(Duration.ofDays(1)).toString();
        String slow = api.submit("{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"slow\"},\"run_at\":\"" + later + "\"}");
        List<String> quick = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            quick.add(api.submit("{\"type\":\"" + quickType + "\",\"payload\":{\"mode\":\"transient\","
                    + "\"fail_times\":0},\"run_at\":\"" + later + "\"}"));
        }
        List<String> set = new ArrayList<>(List.of(slow));
        set.addAll(quick);
        List<Job> claimed = lifecycle.claimAll(set, "normal");
        assertThat(claimed).extracting(Job::jobId).containsExactlyElementsOf(set);

        // as the worker route runs a set: watched as a whole, then each type's group in turn
        SetWatch watch = worker.watch(claimed);
        CompletableFuture<List<Attempt>> running = CompletableFuture.supplyAsync(() -> {
            List<Attempt> attempts = new ArrayList<>();
            try (watch) {
                worker.byType(claimed).forEach(group -> attempts.addAll(worker.attemptAll(group, watch)));
            }
            return attempts;
        });

        // the quick ones finish on other workers while the long one still runs here
        await().atMost(Duration.ofSeconds(8)).until(() -> quick.stream()
                .allMatch(id -> "SUCCESS".equals(api.job(id).get("status").asText())));
        assertThat(api.job(slow).get("status").asText()).isEqualTo("RUNNING");
        assertThat(running).isNotDone();
        for (String id : quick) {
            // handed back unstarted (its claim not counted), then run once
            assertThat(eventTypes(id)).containsExactly("job.queued", "job.started", "job.requeued", "job.started",
                    "job.completed");
            assertThat(api.job(id).get("attempts").asInt()).isEqualTo(1);
        }

        // stopped at its next checkpoint: the set's attempts are the long job's alone, the others were not started here
        assertThat(api.post("/jobs/" + slow + "/cancel", "application/json",
                java.net.http.HttpRequest.BodyPublishers.noBody()).statusCode()).isEqualTo(202);
        List<Attempt> attempts = running.get(20, TimeUnit.SECONDS);
        assertThat(attempts).extracting(attempt -> attempt.job().jobId()).containsExactly(slow);
        assertThat(attempts.get(0).failure()).isInstanceOf(JobStoppedException.class);
        worker.recordAll(attempts);
        assertThat(api.job(slow).get("status").asText()).isEqualTo("CANCELLED");
        // it reported progress while it ran; it was never handed back
        assertThat(eventTypes(slow)).filteredOn(type -> !type.equals("job.progress"))
                .containsExactly("job.queued", "job.started", "job.cancelled");
    }

    private List<String> eventTypes(String jobId) {
        return jdbc.queryForList("SELECT event_type FROM job_events WHERE job_id = ? ORDER BY created_at, event_type",
                String.class, jobId);
    }
}
