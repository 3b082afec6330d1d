package dev.conveyor.intake;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.BatchStore;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobOutcome.FollowUp;
import dev.conveyor.job.JobStore;
import dev.conveyor.job.Submission;
import dev.conveyor.processors.DataFiles;
import dev.conveyor.worker.RecordedSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Creates the jobs that follow a finished one. The follow-ups a job asks for are recorded with its ending (the
 * same statement), and created here once that has committed — after the set the ending was written in, not
 * inside it. A child carries the parent's tenant, priority and correlation id, names the parent and joins the
 * parent's batch (which stays open until the chain ends; a cancelled batch gets no more children); its
 * idempotency key is derived from the parent, so creating the same follow-ups twice (a worker stopped before it
 * cleared them, and {@link #createLeftBehind} created them again) never makes a second child.
 */
@Service
public class JobChains {

    private static final Logger log = LoggerFactory.getLogger(JobChains.class);
    private static final TypeReference<List<FollowUp>> FOLLOW_UPS = new TypeReference<>() {
    };
    /** A parent ended this long ago whose follow-ups still wait was left behind by a stopped worker. */
    private static final Duration LEFT_BEHIND_AFTER = Duration.ofSeconds(30);

    private final JobIntake intake;
    private final DataFiles files;
    private final JobStore store;
    private final ObjectMapper json;
    private final BatchStore batches;

    public JobChains(JobIntake intake, DataFiles files, JobStore store, ObjectMapper json, BatchStore batches) {
        this.intake = intake;
        this.batches = batches;
        this.files = files;
        this.store = store;
        this.json = json;
    }

    /**
     * The worker route's step after an ending is recorded: creates the job's follow-ups, if it asked for any, and
     * forgets them. {@code parent} null (the attempt had lost the job) does nothing.
     */
    public void createFollowUps(Job parent) {
        if (parent == null || parent.followUpsJson() == null) {
            return;
        }
        List<FollowUp> next;
        try {
            next = json.readValue(parent.followUpsJson(), FOLLOW_UPS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("follow-ups of " + parent.jobId() + " are not readable", e);
        }
        if (batches.cancelRequested(parent.batchId())) {
            log.info("{}: its batch {} was cancelled; its follow-ups are not created", parent.jobId(), parent.batchId());
        } else {
            next.forEach(followUp -> createChild(parent, followUp));
        }
        store.followUpsCreated(parent.jobId());
    }

    /**
     * {@link #createFollowUps} for each job a worker route's set ended (its {@code create-follow-ups} step; the set
     * itself, not {@code ${body.jobs()}}, whose OGNL call would hash every job of it at every message).
     */
    public void createAllFollowUps(RecordedSet recorded) {
        for (Job parent : recorded.jobs()) {
            createFollowUps(parent);
        }
    }

    /** Creates the follow-ups that stopped workers left behind; run by a timer (routes/workers.camel.yaml). */
    public int createLeftBehind() {
        List<Job> parents = store.withPendingFollowUps(LEFT_BEHIND_AFTER, 100);
        for (Job parent : parents) {
            log.info("{}: creating the follow-ups its worker left behind", parent.jobId());
            createFollowUps(parent);
        }
        return parents.size();
    }

    public Submission createChild(Job parent, FollowUp next) {
        Long fileSize = null;
        if (next.payload().hasNonNull("file")) {
            try {
                fileSize = Files.size(files.resolve(parent.tenantId(), next.payload().get("file").asText()));
            } catch (IOException | RuntimeException e) {
                // a file that is gone makes the child fail when it runs, with its own clear error; it must still exist
                log.warn("{}: the file of its {} follow-up is not readable ({}); created without its size",
                        parent.jobId(), next.type(), e.toString());
            }
        }
        return intake.submit(new JobRequest(parent.tenantId(), "chain", next.type(), next.payload(),
                parent.priority().wireName(), null, parent.correlationId(), parent.jobId(),
                "chain:" + parent.jobId() + ":" + next.type(), fileSize).inBatch(parent.batchId()));
    }
}
