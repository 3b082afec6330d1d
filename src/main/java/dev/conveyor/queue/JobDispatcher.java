package dev.conveyor.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.DueJob;
import dev.conveyor.job.JobStore;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** The outbox side of the dispatcher route: which due jobs to publish now, and what each message carries. */
@Component("jobDispatcher")
public class JobDispatcher {

    private static final Logger log = LoggerFactory.getLogger(JobDispatcher.class);
    /** The record key header of camel-kafka; other backends never see it. */
    static final String KAFKA_KEY = "kafka.KEY";

    private final CamelContext camel;
    private final JobStore store;
    private final LaneRouter router;
    private final QueueBackend backend;
    private final int batchSize;
    private final int maxBacklog;
    private final LaneBacklog backlog;
    private final DispatchSignal signal;
    private final ObjectProvider<LaneProvisioner> provisioners;
    private final Duration redispatchAfter;
    private final AtomicReference<String> lastFailure = new AtomicReference<>();

    public JobDispatcher(CamelContext camel, JobStore store, LaneRouter router, LaneBacklog backlog,
                         DispatchSignal signal, ObjectProvider<LaneProvisioner> provisioners,
                         ConveyorProperties properties, @Value("${conveyor.queue.backend}") String backend) {
        this.camel = camel;
        this.store = store;
        this.router = router;
        this.backend = QueueBackend.of(backend);
        this.batchSize = properties.dispatcher().batchSize();
        this.maxBacklog = properties.dispatcher().maxInMemoryBacklog();
        this.backlog = backlog;
        this.signal = signal;
        this.provisioners = provisioners;
        this.redispatchAfter = Duration.ofSeconds(properties.dispatcher().redispatchAfterSeconds());
    }

    /**
     * A bounded batch of due jobs, marked dispatched, highest priority first — no more than the in-memory
     * lanes have room for.
     */
    public List<DueJob> takeDueBatch() {
        // before the query: a job committed after this line is either in this batch or wakes another round
        signal.roundStarted();
        if (camel.getStatus().isStopping()) {
            // shutting down: what is queued stays in the table for the next start or another instance
            return List.of();
        }
        int room = Math.min(batchSize, maxBacklog - backlog.pending());
        return room <= 0 ? List.of() : store.takeDueForDispatch(room);
    }

    /** A worker finished a job: if the in-memory lanes are running low, fetch more at once. */
    public void onJobDone() {
        if (backend.isVolatile() && backlog.pending() < maxBacklog / 2) {
            signal.wake();
        }
    }

    public boolean isFullBatch(List<?> batch) {
        return batch.size() >= batchSize;
    }

    /**
     * Turns a due job into its queue message: the job id as body, and the routing attributes (lane, type,
     * partition key) as headers — never the payload, which stays in the table.
     */
    public void prepareMessage(DueJob job, Exchange exchange) {
        Message message = exchange.getMessage();
        message.setBody(job.jobId());
        message.setHeader("jobId", job.jobId());
        message.setHeader("jobType", job.type());
        message.setHeader("lane", router.laneFor(job));
        String partitionKey = job.partitionKey();
        if (partitionKey != null) {
            message.setHeader("partitionKey", partitionKey);
            if (backend == QueueBackend.KAFKA) {
                message.setHeader(KAFKA_KEY, partitionKey);
            }
        }
    }

    /** The batch was taken but publishing failed: hand its jobs back to the table, due again at once. */
    public void publishFailed(List<DueJob> batch, Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int released = store.releaseDispatches(batch.stream().map(DueJob::jobId).toList());
        provisioners.ifAvailable(LaneProvisioner::provision);
        String failure = Instant.now() + " " + (cause == null ? "unknown" : cause.toString());
        lastFailure.set(failure);
        log.warn("publishing to the {} backend failed ({}); {} job(s) stay QUEUED and will be published again",
                backend.name().toLowerCase(java.util.Locale.ROOT), cause == null ? "?" : cause.getMessage(), released);
    }

    public void publishSucceeded() {
        lastFailure.set(null);
    }

    public Optional<String> lastPublishFailure() {
        return Optional.ofNullable(lastFailure.get());
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
