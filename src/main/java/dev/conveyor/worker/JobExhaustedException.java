package dev.conveyor.worker;

import dev.conveyor.job.Job;

/**
 * A job failed its last allowed attempt. Thrown out of the worker so the route's dead-letter channel takes
 * the message: it records the dead letter and publishes to the backend's dead-letter lane.
 */
public class JobExhaustedException extends RuntimeException {

    private final transient Job job;

    public JobExhaustedException(Job job, Throwable lastFailure) {
        super(job.jobId() + " failed attempt " + job.attempts() + " of " + job.maxAttempts() + ": "
                + lastFailure.getMessage(), lastFailure);
        this.job = job;
    }

    public Job job() {
        return job;
    }
}
