package dev.conveyor.queue;

import java.time.Duration;
import java.time.Instant;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobStatus;
import dev.conveyor.job.JobStore;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.Priority;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.MutableClock;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The in-memory queue forgets its messages when the service stops; the jobs table does not. A job that
 * was published and never claimed is published again, at start-up or once it is stale, and runs.
 */
@ConveyorIntegrationTest
class OutboxRecoveryTest {

    @Autowired
    JobLifecycle lifecycle;

    @Autowired
    JobStore store;

    @Autowired
    OutboxRecovery recovery;

    @Autowired
    JobDispatcher dispatcher;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    MutableClock clock;

    @Autowired
    ConveyorProperties properties;

    @Test
    void aJobWhoseMessageWasLostAtAStopRunsAfterStartUpRecovery() {
        Job job = publishedButLost();

        recovery.republishUnclaimed();

        await().atMost(Duration.ofSeconds(20)).until(() -> status(job), JobStatus.SUCCESS::equals);
    }

    @Test
    void aStalePublishedJobIsPublishedAgainByTheSweep() {
        Job job = publishedButLost();
        clock.advance(redispatchAfter().plusSeconds(1));

        // what it releases besides this job depends on what the shared service holds: the job running says enough
        dispatcher.releaseStaleDispatches();

        await().atMost(Duration.ofSeconds(20)).until(() -> status(job), JobStatus.SUCCESS::equals);
    }

    @Test
    void aRecentlyPublishedJobIsLeftAloneBySweep() {
        Job job = publishedButLost();
        clock.advance(redispatchAfter().minusSeconds(5));

        dispatcher.releaseStaleDispatches();

        assertThat(status(job)).isEqualTo(JobStatus.QUEUED);
        assertThat(jdbc.queryForObject("SELECT dispatched_at IS NOT NULL FROM jobs WHERE job_id = ?", Boolean.class,
                job.jobId())).as("still published").isTrue();
    }

    private Duration redispatchAfter() {
        return Duration.ofSeconds(properties.dispatcher().redispatchAfterSeconds());
    }

    /** A QUEUED job marked as published, whose message no queue holds: what a crash leaves behind. */
    private Job publishedButLost() {
        Job job = lifecycle.submit(new NewJob("default", "csv_validation", "test", Priority.NORMAL,
                "{\"marketplace\":\"acme\",\"category\":\"toys\",\"csv\":\"sku,title,price,quantity\\nA,B,1,1\\n\"}",
                60, null, null, null, null, "acme", "toys", null, Instant.now().plusSeconds(3600), 3)).job();
        jdbc.update("UPDATE jobs SET run_at = now(), dispatched_at = now() WHERE job_id = ?", job.jobId());
        return job;
    }

    private JobStatus status(Job job) {
        return store.find(job.jobId()).orElseThrow().status();
    }
}
