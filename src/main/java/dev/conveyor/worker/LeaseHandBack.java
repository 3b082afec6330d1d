package dev.conveyor.worker;

import dev.conveyor.job.JobLifecycle;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The last step of a graceful shutdown (SIGTERM): Camel has stopped taking work and let in-flight jobs
 * finish within {@code camel.main.shutdown-timeout}; whatever this instance still holds after that is handed
 * back (QUEUED, a job.requeued event each), so another instance — or this one at its next start — runs it
 * without waiting for the lease.
 */
@Component
public class LeaseHandBack {

    private static final Logger log = LoggerFactory.getLogger(LeaseHandBack.class);

    private final JobLifecycle lifecycle;

    public LeaseHandBack(JobLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @PreDestroy
    public void handBackUnfinished() {
        try {
            int handedBack = lifecycle.handBack();
            if (handedBack > 0) {
                log.warn("shutting down with {} job(s) unfinished: handed back to the queue", handedBack);
            }
        } catch (RuntimeException e) {
            log.warn("could not hand back unfinished jobs at shutdown; their leases will expire instead: {}",
                    e.toString());
        }
    }
}
