package dev.conveyor.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.QueueBackend;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobOutcome;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The steps of the worker route (routes/workers.camel.yaml) that touch a job: claim it, run one attempt of its
 * type's processor under the type's time limit, record how the attempt ended. Each step is its own route step
 * so the flow is visible in the route and in Hawtio; the writes of many workers are set-based in
 * {@link JobLifecycle}, so a claim or an ending shares its statement and its commit with the others of the moment.
 */
@Component("jobWorker")
public class JobWorker {

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

    private final JobLifecycle lifecycle;
    private final JobProcessors processors;
    private final ObjectMapper json;
    private final ErrorClassifier classifier;
    private final RetryPolicy retryPolicy;
    private final CamelContext camel;
    private final AttemptDurations durations;
    private final long heartbeatIntervalNanos;
    private final long handBackAfterNanos;
    /** The {@link SetWatch}es' one thread: a statement per look that does something. */
    private final ScheduledThreadPoolExecutor leaseKeeper = new ScheduledThreadPoolExecutor(1, task -> {
        Thread thread = new Thread(task, "conveyor-set-lease-keeper");
        thread.setDaemon(true);
        return thread;
    });

    public JobWorker(JobLifecycle lifecycle, JobProcessors processors, ObjectMapper json, ErrorClassifier classifier,
                     RetryPolicy retryPolicy, CamelContext camel, ConveyorProperties properties,
                     AttemptDurations durations, QueueBackend backend) {
        this.camel = camel;
        this.durations = durations;
        // a set's keeper is cancelled as soon as its jobs ran, mostly long before its first beat: drop it at once
        leaseKeeper.setRemoveOnCancelPolicy(true);
        this.heartbeatIntervalNanos = properties.worker().heartbeatIntervalMs() * 1_000_000L;
        // On Kafka a set is what a consumer polled, and a job handed back would be published again to its partition,
        // which the same busy consumer holds: it would wait all the same, and longer. Only the sets the dispatcher
        // deals (memory, SQS) go to whichever consumer is free.
        this.handBackAfterNanos = backend == QueueBackend.KAFKA ? Long.MAX_VALUE
                : properties.worker().setHandBackAfterMs() * 1_000_000L;
        this.lifecycle = lifecycle;
        this.processors = processors;
        this.json = json;
        this.classifier = classifier;
        this.retryPolicy = retryPolicy;
    }

    /**
     * The worker route's {@code claim} step: claims the message's jobs (their ids as the route's {@code job-ids} step
     * read them from the backend's message) with one statement shared with the other workers' claims of the moment.
     *
     * @return the jobs this worker got, RUNNING for it, in the message's order; the others (a duplicate message, a
     *         job another worker, the reaper or a cancel got first) are dropped
     */
    public List<Job> claimSet(List<String> ids, String lane) {
        List<Job> claimed = lifecycle.claimAll(ids, lane);
        if (claimed.size() < ids.size()) {
            log.debug("{} of {} job(s) were not claimable (taken by another worker, finished or cancelled); dropped",
                    ids.size() - claimed.size(), ids.size());
        }
        return claimed;
    }

    /** Whether the claim left nothing to run (the worker route's {@code taken-elsewhere} filter). */
    public boolean nothingClaimed(List<Job> claimed) {
        return claimed.isEmpty();
    }

    /** The claimed set cut by job type, each type's jobs in their order, for the route's {@code route-by-type}. */
    public List<List<Job>> byType(List<Job> claimed) {
        Map<String, List<Job>> byType = new LinkedHashMap<>();
        for (Job job : claimed) {
            byType.computeIfAbsent(job.type(), type -> new ArrayList<>()).add(job);
        }
        return new ArrayList<>(byType.values());
    }

    /** The job type of a group made by {@link #byType}. */
    public String typeOf(List<Job> group) {
        return group.get(0).type();
    }

    /**
     * The worker route's {@code watch-set} step: a {@link SetWatch} over the claimed set, its jobs in the order the
     * route will run them (type group by type group, {@link #byType}), stopped when the exchange is done, however it
     * ends. The route keeps it as an exchange property and hands it to each group's {@link #attemptAll}.
     */
    public SetWatch watch(List<Job> claimed, Exchange exchange) {
        SetWatch watch = watch(claimed);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                watch.close();
            }
        });
        return watch;
    }

    /** A {@link SetWatch} over a claimed set, to be closed by the caller once the set has run. */
    public SetWatch watch(List<Job> claimed) {
        List<Job> order = new ArrayList<>(claimed.size());
        byType(claimed).forEach(order::addAll);
        return new SetWatch(order, lifecycle, heartbeatIntervalNanos, handBackAfterNanos, leaseKeeper);
    }

    /**
     * Runs one attempt of each job of a type's group, one after the other (the job-type route's
     * {@code run-attempts}). The set's {@code watch} looks after the jobs waiting behind the one that runs, in this
     * group and the groups after it; a job it no longer holds is skipped, left to whoever has it now.
     */
    public List<Attempt> attemptAll(List<Job> group, SetWatch watch) {
        List<Attempt> attempts = new ArrayList<>(group.size());
        for (Job job : group) {
            if (!watch.start(job, System.nanoTime())) {
                log.info("{} waited in its worker's set and was handed back or taken back; not started here",
                        job.jobId());
                continue;
            }
            attempts.add(attempt(job));
        }
        return attempts;
    }

    /**
     * The worker route's {@code record-outcomes} step: records how each attempt of the set ended, as
     * {@link #record} does for one, with one statement per kind of ending shared with the other workers' of the
     * moment. A job whose last attempt failed transiently is not written here: it is in
     * {@link RecordedSet#exhausted()}, for the route to dead-letter.
     */
    public RecordedSet recordAll(List<Attempt> attempts) {
        List<JobLifecycle.End> ends = new ArrayList<>(attempts.size());
        List<Job> recorded = new ArrayList<>(attempts.size());
        List<JobExhaustedException> exhausted = new ArrayList<>();
        for (Attempt attempt : attempts) {
            Job job = attempt.job();
            Exception failure = attempt.failure();
            if (failure == null) {
                ends.add(lifecycle.finishing(job, attempt.outcome()));
                continue;
            }
            if (failure instanceof JobStoppedException) {
                log.info("{} stopped at a checkpoint: {}", job.jobId(), failure.getMessage());
                lifecycle.cancelled(job).ifPresent(recorded::add);
                continue;
            }
            ErrorKind kind = kindOf(attempt);
            if (kind == ErrorKind.PERMANENT) {
                log.warn("{} ({}) failed permanently: {}", job.jobId(), job.type(), failure.toString());
                ends.add(lifecycle.failing(job, messageOf(failure), failure.getClass().getName(), null, null,
                        Map.of()));
            } else if (job.attempts() >= job.maxAttempts()) {
                log.warn("{} ({}) failed its last attempt ({} of {}): {}", job.jobId(), job.type(), job.attempts(),
                        job.maxAttempts(), failure.toString());
                exhausted.add(new JobExhaustedException(job, failure));
            } else {
                Duration delay = retryPolicy.delayAfter(job.type(), job.attempts());
                log.info("{} ({}) attempt {} of {} failed ({}); retrying in {} ms", job.jobId(), job.type(),
                        job.attempts(), job.maxAttempts(), failure.toString(), delay.toMillis());
                ends.add(lifecycle.retrying(job, messageOf(failure), failure.getClass().getName(), delay));
            }
        }
        lifecycle.endAll(ends).forEach(ended -> ended.ifPresent(recorded::add));
        return new RecordedSet(recorded, exhausted);
    }

    private ErrorKind kindOf(Attempt attempt) {
        Exception failure = attempt.failure();
        return failure instanceof JobTimedOutException
                ? retryPolicy.retriesAfterTimeLimit(attempt.job().type()) ? ErrorKind.TRANSIENT : ErrorKind.PERMANENT
                : classifier.classify(failure, attempt.processor());
    }

    /**
     * The jobs of a recorded set whose last attempt failed (the route's {@code each-exhausted} split). A bean method
     * rather than {@code ${body.exhausted()}}: Camel's OGNL call introspects the body's class and hashes the whole
     * set (every job's payload) as a cache key at every message.
     */
    public List<JobExhaustedException> exhausted(RecordedSet recorded) {
        return recorded.exhausted();
    }

    /** @return the job, RUNNING for this worker; null when this worker did not get it (the route drops it) */
    public Job claim(String jobId, String lane) {
        Optional<Job> claimed = lifecycle.claim(jobId, lane);
        if (claimed.isEmpty()) {
            log.debug("{} was not claimable (taken by another worker, finished or cancelled); dropped", jobId);
        }
        return claimed.orElse(null);
    }

    /** Runs one attempt of the claimed job's processor; never throws: a failure is part of the attempt. */
    public Attempt attempt(Job job) {
        long started = System.nanoTime();
        try {
            return attemptTimed(job);
        } finally {
            durations.record(job.type(), System.nanoTime() - started);
        }
    }

    private Attempt attemptTimed(Job job) {
        JobProcessor processor = processors.forType(job.type()).orElse(null);
        if (processor == null) {
            return Attempt.failed(job, null, new PermanentJobException("no processor for job type " + job.type()));
        }
        Duration limit = retryPolicy.timeLimit(job.type());
        long deadline = System.nanoTime() + limit.toNanos();
        // the claim has just set the lease: the first heartbeat is due an interval from now
        long[] lastHeartbeat = {System.nanoTime()};
        try (TimeLimit watchdog = TimeLimit.start(limit)) {
            JsonNode payload = json.readTree(job.payloadJson());
            JobOutcome outcome = processor.process(new JobContext(job, payload, (percent, rows) -> {
                long now = System.nanoTime();
                if (now > deadline) {
                    throw new JobTimedOutException(job.jobId(), limit);
                }
                if (now - lastHeartbeat[0] < heartbeatIntervalNanos) {
                    return;
                }
                lastHeartbeat[0] = now;
                if (!lifecycle.heartbeat(job, percent, rows < 0 ? null : rows)) {
                    throw new JobStoppedException(job.jobId());
                }
            }));
            return Attempt.finished(job, processor, outcome);
        } catch (Exception e) {
            if (System.nanoTime() > deadline && !(e instanceof JobTimedOutException)) {
                // interrupted by the watchdog: whatever the processor threw, the cause is the time limit
                return Attempt.failed(job, processor, new JobTimedOutException(job.jobId(), limit));
            }
            return Attempt.failed(job, processor, e);
        }
    }

    /**
     * Records how the attempt ended: its outcome, CANCELLED when it stopped at a checkpoint because it was asked
     * to, FAILED for a permanent failure, RETRYING after a backoff for a transient one.
     *
     * @return the job as recorded; null when the attempt no longer held the job (cancelled, or taken over after
     *         its lease expired)
     * @throws JobExhaustedException when the attempt failed transiently and was the last one allowed (the route's
     *                               dead-letter channel takes it)
     */
    public Job record(Attempt attempt) {
        Job job = attempt.job();
        if (attempt.failure() == null) {
            return lifecycle.finish(job, attempt.outcome()).orElse(null);
        }
        Exception failure = attempt.failure();
        if (failure instanceof JobStoppedException) {
            log.info("{} stopped at a checkpoint: {}", job.jobId(), failure.getMessage());
            return lifecycle.cancelled(job).orElse(null);
        }
        ErrorKind kind = kindOf(attempt);
        if (kind == ErrorKind.PERMANENT) {
            log.warn("{} ({}) failed permanently: {}", job.jobId(), job.type(), failure.toString());
            return lifecycle.fail(job, messageOf(failure), failure.getClass().getName(), null, Map.of()).orElse(null);
        }
        if (job.attempts() >= job.maxAttempts()) {
            log.warn("{} ({}) failed its last attempt ({} of {}): {}", job.jobId(), job.type(), job.attempts(),
                    job.maxAttempts(), failure.toString());
            throw new JobExhaustedException(job, failure);
        }
        Duration delay = retryPolicy.delayAfter(job.type(), job.attempts());
        log.info("{} ({}) attempt {} of {} failed ({}); retrying in {} ms", job.jobId(), job.type(), job.attempts(),
                job.maxAttempts(), failure.toString(), delay.toMillis());
        return lifecycle.retry(job, messageOf(failure), failure.getClass().getName(), delay).orElse(null);
    }

    /**
     * Whether the type has a route of its own ({@code job-type-<type>}, routes/workers.camel.yaml); the worker
     * route runs the others' attempt itself, and one with no processor fails permanently saying so.
     */
    public boolean hasRoute(String type) {
        return camel.getRoute("job-type-" + type) != null;
    }

    private static String messageOf(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
