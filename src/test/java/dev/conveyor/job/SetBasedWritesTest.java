package dev.conveyor.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.intake.JobChains;
import dev.conveyor.job.JobOutcome.FollowUp;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.MutableClock;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The set-based writes of the lifecycle against the real database: many workers' claims and endings written
 * together still give each job to one worker and end it once; an attempt that lost its job cannot end it; and
 * the follow-ups a job asks for are created after its ending, exactly once, even when the worker stopped first.
 */
@ConveyorIntegrationTest
class SetBasedWritesTest extends RunningServiceTest {

    @Autowired
    JobLifecycle lifecycle;

    @Autowired
    JobChains chains;

    @Autowired
    ObjectMapper json;

    @Autowired
    MutableClock clock;

    @Test
    void manyWorkersClaimingAndFinishingAtOnceEachJobIsClaimedOnceAndEndedOnce() throws Exception {
        List<String> jobIds = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            jobIds.add(notYetDueJob());
        }
        ExecutorService workers = Executors.newFixedThreadPool(24);
        try {
            // every job is asked for twice, as a duplicated message would: one claim wins, the other is told no
            List<Future<Optional<Job>>> claims = new ArrayList<>();
            for (String jobId : jobIds) {
                claims.add(workers.submit(() -> lifecycle.claim(jobId, "normal")));
                claims.add(workers.submit(() -> lifecycle.claim(jobId, "high")));
            }
            List<Job> claimed = new ArrayList<>();
            for (Future<Optional<Job>> claim : claims) {
                claim.get().ifPresent(claimed::add);
            }
            assertThat(claimed).extracting(Job::jobId).containsExactlyInAnyOrderElementsOf(jobIds);

            List<Future<Optional<Job>>> endings = new ArrayList<>();
            for (Job job : claimed) {
                endings.add(workers.submit(() -> lifecycle.finish(job, JobOutcome.success(Map.of("n", 1)))));
            }
            for (Future<Optional<Job>> ending : endings) {
                assertThat(ending.get()).get().extracting(Job::status).isEqualTo(JobStatus.SUCCESS);
            }
        } finally {
            workers.shutdownNow();
        }
        for (String jobId : jobIds) {
            assertThat(eventTypes(jobId)).containsExactly("job.queued", "job.started", "job.completed");
            assertThat(jdbc.queryForObject("SELECT attempts FROM jobs WHERE job_id = ?", Integer.class, jobId))
                    .isEqualTo(1);
        }
    }

    @Test
    void anAttemptThatLostItsJobCannotEndIt() {
        String jobId = notYetDueJob();
        Job first = lifecycle.claim(jobId, "normal").orElseThrow();
        // the first attempt's worker went quiet; its job was retried and claimed again: a second attempt runs
        retriedWithItsMessageOut(first, "lease expired", "LeaseExpired");
        clock.advance(BACKOFF);
        Job second = lifecycle.claim(jobId, "normal").orElseThrow();
        assertThat(second.attempts()).isEqualTo(2);

        assertThat(lifecycle.finish(first, JobOutcome.success(Map.of("from", "first")))).isEmpty();
        assertThat(lifecycle.fail(first, "late failure", "X", null, Map.of())).isEmpty();
        assertThat(jdbc.queryForObject("SELECT status FROM jobs WHERE job_id = ?", String.class, jobId))
                .isEqualTo("RUNNING");

        assertThat(lifecycle.finish(second, JobOutcome.success(Map.of("from", "second")))).get()
                .extracting(Job::status).isEqualTo(JobStatus.SUCCESS);
        assertThat(jdbc.queryForObject("SELECT result->>'from' FROM jobs WHERE job_id = ?", String.class, jobId))
                .isEqualTo("second");
        assertThat(eventTypes(jobId)).containsExactly("job.queued", "job.started", "job.retrying", "job.started",
                "job.completed");
    }

    @Test
    void followUpsAreRecordedWithTheEndingAndCreatedAfterItOnceEvenWhenTheWorkerStoppedInBetween() throws Exception {
        String parentId = notYetDueJob();
        Job running = lifecycle.claim(parentId, "normal").orElseThrow();
        FollowUp next = new FollowUp("csv_validation", json.readTree(CsvJobs.inline(CsvJobs.CLEAN)).get("payload"));
        Job finished = lifecycle.finish(running, JobOutcome.success(Map.of()).withNext(List.of(next))).orElseThrow();

        // recorded with the ending, not yet created: the worker "stopped" before its create-follow-ups step
        assertThat(finished.followUpsJson()).contains("csv_validation");
        assertThat(children(parentId)).isZero();

        // the sweep leaves a recent ending to its worker, and creates the follow-ups of one left behind
        assertThat(chains.createLeftBehind()).isZero();
        jdbc.update("UPDATE jobs SET completed_at = now() - interval '5 minutes' WHERE job_id = ?", parentId);
        assertThat(chains.createLeftBehind()).isEqualTo(1);
        assertThat(children(parentId)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT follow_ups IS NULL FROM jobs WHERE job_id = ?", Boolean.class,
                parentId)).isTrue();

        // the worker comes back and runs its step late, with the job as it had it: still one child
        chains.createFollowUps(finished);
        assertThat(children(parentId)).isEqualTo(1);
        assertThat(chains.createLeftBehind()).isZero();
    }

    @Test
    void aRetryIsNotClaimedBeforeItsBackoffHasPassed() {
        String jobId = notYetDueJob();
        Job first = lifecycle.claim(jobId, "normal").orElseThrow();
        retriedWithItsMessageOut(first, "boom", "X");

        clock.advance(BACKOFF.minusSeconds(5));
        assertThat(lifecycle.claim(jobId, "normal")).as("a message delivered again during the backoff").isEmpty();

        clock.advance(Duration.ofSeconds(5));
        assertThat(lifecycle.claim(jobId, "normal")).as("once the retry is due").get()
                .extracting(Job::attempts).isEqualTo(2);
    }

    private static final Duration BACKOFF = Duration.ofSeconds(30);

    /**
     * The attempt failed and its job waits out {@link #BACKOFF} as RETRYING. Its message is out already (the one the
     * broker delivers again), so the dispatcher does not publish it and no worker of the shared service claims it:
     * only the test does, once it has moved the clock. A retry due at once would be published and could be claimed
     * before the test claims it.
     */
    private void retriedWithItsMessageOut(Job attempt, String failure, String errorClass) {
        lifecycle.retry(attempt, failure, errorClass, BACKOFF).orElseThrow();
        jdbc.update("UPDATE jobs SET dispatched_at = now() WHERE job_id = ?", attempt.jobId());
    }

    /** A job due in an hour, so no lane consumer takes it before the test claims it by hand. */
    private String notYetDueJob() {
        String later = "{\"run_at\":\"" + Instant.now().plusSeconds(3600) + "\",";
        return api.submit(CsvJobs.inline(CsvJobs.CLEAN).replaceFirst("\\{", later));
    }

    private int children(String parentId) {
        return jdbc.queryForObject("SELECT count(*) FROM jobs WHERE parent_job_id = ?", Integer.class, parentId);
    }

    private List<String> eventTypes(String jobId) {
        return jdbc.queryForList("SELECT event_type FROM job_events WHERE job_id = ? ORDER BY created_at, event_id",
                String.class, jobId);
    }
}
