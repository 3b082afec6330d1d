package dev.conveyor.intake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobOutcome.FollowUp;
import dev.conveyor.job.Submission;
import dev.conveyor.processors.DataFiles;
import org.springframework.stereotype.Service;

/**
 * Creates the jobs that follow a finished one. A child carries the parent's tenant, priority and
 * correlation id and names the parent; its idempotency key is derived from the parent, so recording the
 * same outcome twice can never create a second child.
 */
@Service
public class JobChains {

    private final JobIntake intake;
    private final DataFiles files;

    public JobChains(JobIntake intake, DataFiles files) {
        this.intake = intake;
        this.files = files;
    }

    public Submission createChild(Job parent, FollowUp next) {
        Long fileSize = null;
        if (next.payload().hasNonNull("file")) {
            try {
                fileSize = Files.size(files.resolve(parent.tenantId(), next.payload().get("file").asText()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return intake.submit(new JobRequest(parent.tenantId(), "chain", next.type(), next.payload(),
                parent.priority().wireName(), null, parent.correlationId(), parent.jobId(),
                "chain:" + parent.jobId() + ":" + next.type(), fileSize));
    }
}
