package dev.conveyor.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.QueueBackend;
import dev.conveyor.config.QueueProperties;
import dev.conveyor.job.DueJob;
import dev.conveyor.job.JobStore;
import dev.conveyor.worker.AttemptDurations;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The outbox side of the dispatcher route: which due jobs to publish now, how they are grouped into publishes, and
 * what each message carries. The memory backend gets one exchange per set of a lane's jobs, the lane's due jobs
 * dealt over its consumers (a worker route claims, runs and records a message's set together); Kafka gets
 * one exchange per lane whose body is the lane's records (camel-kafka sends them all, the producer batches them, and
 * the exchange completes when every record is acknowledged: one wait per lane, not one per job); SQS gets one
 * SendMessageBatch of up to 10 messages per exchange, each a set of the lane's jobs dealt as on memory.
 */
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
    private final int sqsPublishBatch;
    private final int jobsPerSqsMessage;
    private final int maxBacklog;
    private final LaneBacklog backlog;
    private final DispatchSignal signal;
    private final ObjectProvider<LaneProvisioner> provisioners;
    private final Duration redispatchAfter;
    private final AtomicReference<String> lastFailure = new AtomicReference<>();
    private final Pauses pauses;
    private final AttemptDurations durations;
    private final int minSetMs;
    /** Per-key limits are configured: a finished job may give its key room for a waiting one. */
    private final boolean limited;
    /** How many due jobs the last round took, held back ones included: a full round means more may be due. */
    private volatile int lastTaken;

    public JobDispatcher(CamelContext camel, JobStore store, LaneRouter router, LaneBacklog backlog,
                         DispatchSignal signal, ObjectProvider<LaneProvisioner> provisioners,
                         ConveyorProperties properties, QueueProperties queue, Pauses pauses,
                         AttemptDurations durations) {
        this.camel = camel;
        this.durations = durations;
        this.minSetMs = properties.dispatcher().minSetMs();
        this.pauses = pauses;
        this.limited = !properties.limits().isEmpty();
        this.store = store;
        this.router = router;
        this.backend = queue.backend();
        this.batchSize = properties.dispatcher().batchSize();
        this.sqsPublishBatch = queue.sqs().publishBatch();
        this.jobsPerSqsMessage = queue.sqs().jobsPerMessage();
        this.maxBacklog = properties.dispatcher().maxInMemoryBacklog();
        this.backlog = backlog;
        this.signal = signal;
        this.provisioners = provisioners;
        this.redispatchAfter = Duration.ofSeconds(properties.dispatcher().redispatchAfterSeconds());
    }

    /**
     * A bounded batch of due jobs, marked dispatched, highest priority first — no more than the in-memory
     * lanes have room for — less those of a paused lane or type, which are held back in the table ({@link Pauses}).
     */
    public List<DueJob> takeDueBatch() {
        // before the query: a job committed after this line is either in this batch or wakes another round
        signal.roundStarted();
        if (camel.getStatus().isStopping()) {
            // shutting down: what is queued stays in the table for the next start or another instance
            return List.of();
        }
        int room = Math.min(batchSize, maxBacklog - backlog.pending());
        List<DueJob> taken = room <= 0 ? List.of() : store.takeDueForDispatch(room);
        lastTaken = taken.size();
        return pauses.holdBack(taken);
    }

    /**
     * A worker finished a job: if the in-memory lanes are running low, or the job's key may now have room for one
     * that waits (per-key limits), fetch more at once. Wake-ups coalesce.
     */
    public void onJobDone() {
        if (limited || backend.isVolatile() && backlog.pending() < maxBacklog / 2) {
            signal.wake();
        }
    }

    /** Whether the round took a full batch (the jobs it held back count: the next ones may be publishable). */
    public boolean isFullBatch(List<?> batch) {
        return Math.max(batch.size(), lastTaken) >= batchSize;
    }

    /**
     * Jobs of one lane that leave in one exchange (see the class comment for how many per backend), as the messages
     * they travel in: one set (memory), a record per job (Kafka), up to 10 sets (SQS, one SendMessageBatch).
     */
    public record Publish(String lane, List<List<DueJob>> messages) {

        /** Every job of the publish, in order. */
        public List<DueJob> jobs() {
            return messages.stream().flatMap(List::stream).toList();
        }
    }

    /**
     * Groups a batch into its publishes, per lane, lanes in the order their first job has in the batch (so the lane
     * of the highest priority goes first). Memory: the lane's jobs dealt over as many sets as the lane has
     * consumers, no set larger than its consumer's share, so that no job waits in one worker's set while another
     * worker of the lane has nothing ({@link #dealt}), and fewer sets when the jobs are short ({@link #sets}); a
     * publish per set. Kafka: the lane's jobs in one publish, a record each (the consumers make sets of what they
     * poll). SQS: dealt as on memory, but into sets of at most
     * {@code conveyor.queue.sqs.jobs-per-message}, a message each, {@code conveyor.queue.sqs.publish-batch} messages
     * to a publish.
     */
    public List<Publish> publishes(List<DueJob> batch) {
        List<Publish> publishes = new ArrayList<>();
        Map<String, List<DueJob>> byLane = new LinkedHashMap<>();
        for (DueJob job : batch) {
            byLane.computeIfAbsent(router.laneFor(job), lane -> new ArrayList<>()).add(job);
        }
        byLane.forEach((lane, jobs) -> {
            switch (backend) {
                case MEMORY -> dealt(jobs, sets(jobs, backlog.consumers(lane)))
                        .forEach(set -> publishes.add(new Publish(lane, List.of(set))));
                case KAFKA -> publishes.add(new Publish(lane, jobs.stream().map(List::of).toList()));
                case SQS -> {
                    int fewest = (jobs.size() + jobsPerSqsMessage - 1) / jobsPerSqsMessage;
                    List<List<DueJob>> messages = dealt(jobs, Math.max(sets(jobs, backlog.consumers(lane)), fewest));
                    for (int from = 0; from < messages.size(); from += sqsPublishBatch) {
                        publishes.add(new Publish(lane,
                                List.copyOf(messages.subList(from, Math.min(messages.size(), from + sqsPublishBatch)))));
                    }
                }
            }
        });
        return publishes;
    }

    /**
     * How many sets a lane's jobs are dealt into: one per consumer of the lane (or per job, when fewer), but no more
     * than the jobs' expected work fills at {@code conveyor.dispatcher.min-set-ms} each, and at least one. The
     * expected work is the sum of each job's type's average attempt in this instance ({@link AttemptDurations}); a
     * type not run here yet counts a whole set's worth per job, so its jobs are spread over the consumers until its
     * attempts are known. So a
     * round of no-op jobs travels as one set (one message, one claim, one ending statement), and a round of jobs
     * that take 20 ms or more is spread over every consumer, in parallel.
     */
    int sets(List<DueJob> jobs, int consumers) {
        if (minSetMs <= 0) {
            return Math.max(1, Math.min(consumers, jobs.size()));
        }
        double work = 0;
        for (DueJob job : jobs) {
            work += durations.averageMillis(job.type()).orElse(minSetMs);
        }
        return (int) Math.max(1, Math.min(Math.min(consumers, jobs.size()), Math.ceil(work / minSetMs)));
    }

    /**
     * A lane's due jobs, in priority order, dealt over at most {@code consumers} sets of at most
     * ceil(jobs / consumers) each, as cards are: the first set has the 1st, (k+1)th, ... job, so the lane's most
     * urgent jobs start first, in parallel. A lone job is a set of one: it waits for no other.
     */
    static List<List<DueJob>> dealt(List<DueJob> jobs, int consumers) {
        int perSet = Math.max(1, (jobs.size() + consumers - 1) / Math.max(1, consumers));
        int sets = (jobs.size() + perSet - 1) / perSet;
        List<List<DueJob>> dealt = new ArrayList<>(sets);
        for (int i = 0; i < sets; i++) {
            dealt.add(new ArrayList<>(perSet));
        }
        for (int i = 0; i < jobs.size(); i++) {
            dealt.get(i % sets).add(jobs.get(i));
        }
        return dealt;
    }

    /**
     * Turns a publish into its message: header {@code lane} for the lane router, and as body the set's job ids (memory),
     * the lane's records (Kafka: each the job id with the routing attributes — lane, type, partition key, the latter
     * also the record key — as headers, never the payload, which stays in the table), or a message per set, its job
     * ids joined by commas (SQS, sent as one SendMessageBatch whose messages carry the lane as their attribute).
     */
    public void prepareMessage(Publish publish, Exchange exchange) {
        Message message = exchange.getMessage();
        // nothing of the dispatcher's own exchange may travel as a message attribute
        message.getHeaders().clear();
        message.setHeader("lane", publish.lane());
        switch (backend) {
            case MEMORY -> message.setBody(publish.jobs().stream().map(DueJob::jobId).toList());
            case KAFKA -> {
                List<Message> records = new ArrayList<>(publish.jobs().size());
                for (DueJob job : publish.jobs()) {
                    Message record = new DefaultMessage(exchange);
                    record.setBody(job.jobId());
                    describe(record, job, publish.lane());
                    records.add(record);
                }
                message.setBody(records);
            }
            // a message per set, its ids joined by commas (DeliveredJobs reads them)
            case SQS -> message.setBody(publish.messages().stream()
                    .map(set -> String.join(",", set.stream().map(DueJob::jobId).toList())).toList());
        }
    }

    private void describe(Message message, DueJob job, String lane) {
        message.setHeader("jobId", job.jobId());
        message.setHeader("jobType", job.type());
        message.setHeader("lane", lane);
        String partitionKey = job.partitionKey();
        if (partitionKey != null) {
            message.setHeader("partitionKey", partitionKey);
            if (backend == QueueBackend.KAFKA) {
                message.setHeader(KAFKA_KEY, partitionKey);
            }
        }
    }

    /**
     * After a publish: SendMessageBatch answers 200 even when some of its entries were refused, so a refused entry
     * is a failed publish here, and the round's batch goes back to the table (the accepted ones are published again
     * too; their claim makes the duplicates harmless).
     */
    public void checkPublished(Exchange exchange) {
        if (exchange.getMessage().getBody() instanceof SendMessageBatchResponse response && response.hasFailed()
                && !response.failed().isEmpty()) {
            var first = response.failed().get(0);
            throw new IllegalStateException("SQS refused " + response.failed().size() + " of the batch's messages ("
                    + first.code() + ": " + first.message() + ")");
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
