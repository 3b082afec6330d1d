package dev.conveyor.worker;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.JobStore;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The last step of a graceful shutdown (SIGTERM): Camel has stopped taking work and let in-flight jobs
 * finish within {@code camel.main.shutdown-timeout}; whatever this instance still holds after that is handed
 * back, so another instance — or this one at its next start — runs it without waiting for the lease.
 */
@Component
public class LeaseHandBack {

    private static final Logger log = LoggerFactory.getLogger(LeaseHandBack.class);

    private final JobStore store;
    private final String instanceId;

    public LeaseHandBack(JobStore store, ConveyorProperties properties) {
        this.store = store;
        this.instanceId = properties.instanceId();
    }

    @PreDestroy
    public void handBackUnfinished() {
        try {
            int handedBack = store.handBack(instanceId);
            if (handedBack > 0) {
                log.warn("shutting down with {} job(s) unfinished: handed back to the queue", handedBack);
            }
        } catch (RuntimeException e) {
            log.warn("could not hand back unfinished jobs at shutdown; their leases will expire instead: {}",
                    e.toString());
        }
    }
}
