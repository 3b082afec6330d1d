package dev.conveyor.queue;

import dev.conveyor.config.QueueBackend;
import dev.conveyor.job.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The in-memory queue keeps nothing across a restart, but the jobs table does: at start-up every job that
 * was published and never claimed is made due again, so a restart delays jobs and never loses them.
 */
@Component
public class OutboxRecovery {

    private static final Logger log = LoggerFactory.getLogger(OutboxRecovery.class);

    private final JobStore store;
    private final DispatchSignal signal;
    private final boolean volatileQueue;

    public OutboxRecovery(JobStore store, DispatchSignal signal, QueueBackend backend) {
        this.store = store;
        this.signal = signal;
        this.volatileQueue = backend.isVolatile();
    }

    @EventListener(ApplicationReadyEvent.class)
    public void republishUnclaimed() {
        if (!volatileQueue) {
            return;
        }
        int released = store.releaseAllDispatches();
        if (released > 0) {
            log.info("{} job(s) were published to the in-memory queue before the last stop and never claimed; "
                    + "publishing them again", released);
            signal.wake();
        }
    }
}
