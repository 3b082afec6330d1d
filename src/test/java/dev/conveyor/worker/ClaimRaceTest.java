package dev.conveyor.worker;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobStatus;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.Priority;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import org.junit.jupiter.api.RepeatedTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two workers handed the same job id at the same moment: exactly one claims and runs it, whether their claims
 * share one set-based statement (the same id twice in one UPDATE) or not.
 */
@ConveyorIntegrationTest
class ClaimRaceTest {

    @Autowired
    JobLifecycle lifecycle;

    @Autowired
    JobWorker worker;

    @Autowired
    JdbcTemplate jdbc;

    @RepeatedTest(10)
    void twoWorkersRacingForOneJobRunItExactlyOnce() throws Exception {
        // due far in the future, so the dispatcher leaves it to the two racers below
        Job job = lifecycle.submit(new NewJob("default", "csv_validation", "test", Priority.NORMAL,
                "{\"marketplace\":\"acme\",\"category\":\"toys\",\"csv\":" + quote(CsvJobs.CLEAN) + "}", 100,
                null, null, null, null, "acme", "toys", null, Instant.now().plusSeconds(3600), 3)).job();
        CyclicBarrier bothReady = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Optional<Job>>> results = List.of(
                    pool.submit(() -> {
                        bothReady.await();
                        return runAsTheWorkerRouteDoes(job.jobId(), "normal");
                    }),
                    pool.submit(() -> {
                        bothReady.await();
                        return runAsTheWorkerRouteDoes(job.jobId(), "high");
                    }));
            long winners = 0;
            for (Future<Optional<Job>> result : results) {
                Optional<Job> outcome = result.get();
                if (outcome.isPresent()) {
                    winners++;
                    assertThat(outcome.get().status()).isEqualTo(JobStatus.SUCCESS);
                }
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(jdbc.queryForObject("SELECT attempts FROM jobs WHERE job_id = ?", Integer.class, job.jobId()))
                .isEqualTo(1);
        assertThat(jdbc.queryForList("SELECT event_type FROM job_events WHERE job_id = ? ORDER BY created_at",
                String.class, job.jobId())).containsExactly("job.queued", "job.started", "job.completed");
    }

    /** The worker route's steps: claim, and when this worker got the job, one attempt and its record. */
    private Optional<Job> runAsTheWorkerRouteDoes(String jobId, String lane) {
        Job claimed = worker.claim(jobId, lane);
        return claimed == null ? Optional.empty() : Optional.ofNullable(worker.record(worker.attempt(claimed)));
    }

    private static String quote(String text) {
        return "\"" + text.replace("\n", "\\n") + "\"";
    }
}
