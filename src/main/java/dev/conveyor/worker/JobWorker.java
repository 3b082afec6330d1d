package dev.conveyor.worker;

import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobOutcome;
import dev.conveyor.intake.JobChains;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

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
    private final TransactionTemplate tx;
    private final ObjectMapper json;

    public JobWorker(JobLifecycle lifecycle, JobProcessors processors, JobChains chains, TransactionTemplate tx,
                     ObjectMapper json) {
        this.lifecycle = lifecycle;
        this.processors = processors;
        this.chains = chains;
        this.tx = tx;
        this.json = json;
    }

    /** @return the job's final state, or empty when this worker did not get the job */
    public Optional<Job> run(String jobId, String lane) {
        Optional<Job> claimed = lifecycle.claim(jobId, lane);
        if (claimed.isEmpty()) {
            log.debug("{} was not claimable (taken by another worker, finished or cancelled); dropped", jobId);
            return Optional.empty();
        }
        Job job = claimed.get();
        try {
            JobProcessor processor = processors.forType(job.type())
                    .orElseThrow(() -> new PermanentJobException("no processor for job type " + job.type()));
            JsonNode payload = json.readTree(job.payloadJson());
            JobOutcome outcome = processor.process(new JobContext(job, payload,
                    percent -> lifecycle.heartbeat(job, percent)));
            return tx.execute(status -> {
                Optional<Job> finished = lifecycle.finish(job, outcome);
                finished.ifPresent(done -> outcome.next().forEach(next -> chains.createChild(done, next)));
                return finished;
            });
        } catch (Exception e) {
            log.warn("{} ({}) failed: {}", jobId, job.type(), e.toString());
            return lifecycle.fail(job, messageOf(e), e.getClass().getName(), null, Map.of());
        }
    }

    private static String messageOf(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
