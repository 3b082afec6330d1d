package dev.conveyor.worker;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.GroupCommit;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobOutcome;
import dev.conveyor.intake.JobChains;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs one job a lane consumer hands over: claim it (one conditional UPDATE, so exactly one worker wins),
 * run its type's processor, record how it ended together with the jobs that follow from it.
 */
@Component("jobWorker")
public class JobWorker {

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

    private final JobLifecycle lifecycle;
    private final JobProcessors processors;
    private final JobChains chains;
    private final GroupCommit commits;
    private final ObjectMapper json;
    private final ErrorClassifier classifier;
    private final RetryPolicy retryPolicy;

    public JobWorker(JobLifecycle lifecycle, JobProcessors processors, JobChains chains, GroupCommit commits,
                     ObjectMapper json, ErrorClassifier classifier, RetryPolicy retryPolicy) {
        this.lifecycle = lifecycle;
        this.processors = processors;
        this.chains = chains;
        this.commits = commits;
        this.json = json;
        this.classifier = classifier;
        this.retryPolicy = retryPolicy;
    }

    /**
     * @return the job's state after this attempt, or empty when this worker did not get the job
     * @throws JobExhaustedException when the attempt failed and it was the last one allowed
     */
    public Optional<Job> run(String jobId, String lane) {
        Optional<Job> claimed = lifecycle.claim(jobId, lane);
        if (claimed.isEmpty()) {
            log.debug("{} was not claimable (taken by another worker, finished or cancelled); dropped", jobId);
            return Optional.empty();
        }
        Job job = claimed.get();
        JobProcessor processor = processors.forType(job.type()).orElse(null);
        try {
            if (processor == null) {
                throw new PermanentJobException("no processor for job type " + job.type());
            }
            JsonNode payload = json.readTree(job.payloadJson());
            Duration limit = retryPolicy.timeLimit(job.type());
            long deadline = System.nanoTime() + limit.toNanos();
            JobOutcome outcome;
            try (TimeLimit watchdog = TimeLimit.start(limit)) {
                outcome = processor.process(new JobContext(job, payload, (percent, rows) -> {
                    if (System.nanoTime() > deadline) {
                        throw new JobTimedOutException(job.jobId(), limit);
                    }
                    if (!lifecycle.heartbeat(job, percent, rows < 0 ? null : rows)) {
                        throw new JobStoppedException(job.jobId());
                    }
                }));
            } catch (Exception e) {
                if (System.nanoTime() > deadline && !(e instanceof JobTimedOutException)) {
                    // interrupted by the watchdog: whatever the processor threw, the cause is the time limit
                    throw new JobTimedOutException(job.jobId(), limit);
                }
                throw e;
            }
            return commits.execute(status -> {
                Optional<Job> finished = lifecycle.finish(job, outcome);
                finished.ifPresent(done -> outcome.next().forEach(next -> chains.createChild(done, next)));
                return finished;
            });
        } catch (JobStoppedException e) {
            log.info("{} stopped at a checkpoint: {}", jobId, e.getMessage());
            return lifecycle.cancelled(job);
        } catch (Exception e) {
            return failed(job, processor, e);
        }
    }

    /** Permanent: FAILED now. Transient: RETRYING after a backoff, or dead-lettered on the last attempt. */
    private Optional<Job> failed(Job job, JobProcessor processor, Exception failure) {
        ErrorKind kind = failure instanceof JobTimedOutException
                ? retryPolicy.retriesAfterTimeLimit(job.type()) ? ErrorKind.TRANSIENT : ErrorKind.PERMANENT
                : classifier.classify(failure, processor);
        if (kind == ErrorKind.PERMANENT) {
            log.warn("{} ({}) failed permanently: {}", job.jobId(), job.type(), failure.toString());
            return lifecycle.fail(job, messageOf(failure), failure.getClass().getName(), null, Map.of());
        }
        if (job.attempts() >= job.maxAttempts()) {
            log.warn("{} ({}) failed its last attempt ({} of {}): {}", job.jobId(), job.type(), job.attempts(),
                    job.maxAttempts(), failure.toString());
            throw new JobExhaustedException(job, failure);
        }
        Duration delay = retryPolicy.delayAfter(job.type(), job.attempts());
        log.info("{} ({}) attempt {} of {} failed ({}); retrying in {} ms", job.jobId(), job.type(), job.attempts(),
                job.maxAttempts(), failure.toString(), delay.toMillis());
        return lifecycle.retry(job, messageOf(failure), failure.getClass().getName(), delay);
    }

    private static String messageOf(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
