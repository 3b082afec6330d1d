package dev.conveyor.queue;

import java.time.Duration;
import java.util.List;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.DueJob;
import dev.conveyor.job.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** The outbox side of the dispatcher route: which due jobs to publish now, in what order. */
@Component("jobDispatcher")
public class JobDispatcher {

    private static final Logger log = LoggerFactory.getLogger(JobDispatcher.class);

    private final JobStore store;
    private final int batchSize;
    private final Duration redispatchAfter;

    public JobDispatcher(JobStore store, ConveyorProperties properties) {
        this.store = store;
        this.batchSize = properties.dispatcher().batchSize();
        this.redispatchAfter = Duration.ofSeconds(properties.dispatcher().redispatchAfterSeconds());
    }

    /** A bounded batch of due jobs, marked dispatched, highest priority first. */
    public List<DueJob> takeDueBatch() {
        return store.takeDueForDispatch(batchSize);
    }

    public boolean isFullBatch(List<?> batch) {
        return batch.size() >= batchSize;
    }

    /** Jobs published long ago and still unclaimed lost their message: make them due again. */
    public int releaseStaleDispatches() {
        int released = store.releaseStaleDispatches(redispatchAfter);
        if (released > 0) {
            log.warn("{} published job(s) were not claimed within {}; publishing them again", released,
                    redispatchAfter);
        }
        return released;
    }
}
