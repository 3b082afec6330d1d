package dev.conveyor.worker;

import java.util.ArrayList;
import java.util.List;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Hands back jobs whose lease expired — their worker died (kill -9, OOM, a lost machine) — counting the
 * attempt: RETRYING after the backoff, or dead-lettered when it was the last one. Locked rows are skipped,
 * so several instances reap side by side.
 */
@Component("leaseReaper")
public class LeaseReaper {

    private static final Logger log = LoggerFactory.getLogger(LeaseReaper.class);
    private static final int BATCH = 100;

    private final JobStore store;
    private final JobLifecycle lifecycle;
    private final RetryPolicy retryPolicy;
    private final DeadLetters deadLetters;
    private final TransactionTemplate tx;

    public LeaseReaper(JobStore store, JobLifecycle lifecycle, RetryPolicy retryPolicy, DeadLetters deadLetters,
                       TransactionTemplate tx) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.retryPolicy = retryPolicy;
        this.deadLetters = deadLetters;
        this.tx = tx;
    }

    /** @return the ids of jobs dead-lettered this round, for the backend's dead-letter lane */
    public List<String> reap() {
        List<String> dead = tx.execute(status -> {
            List<Job> expired = store.lockExpiredLeases(BATCH);
            List<Job> exhausted = new ArrayList<>();
            for (Job job : expired) {
                if (job.attempts() >= job.maxAttempts()) {
                    exhausted.add(job);
                } else {
                    String reason = "lease expired: worker " + job.claimedBy() + " stopped before finishing";
                    lifecycle.retry(job, reason, "LeaseExpired", retryPolicy.delayAfter(job.type(), job.attempts()));
                    log.warn("{}: {}; attempt {} of {} is counted and the job will run again", job.jobId(), reason,
                            job.attempts(), job.maxAttempts());
                }
            }
            return deadLetters.recordExpired(exhausted);
        });
        return dead == null ? List.of() : dead;
    }
}
