package dev.conveyor.worker;

/**
 * Thrown at a progress checkpoint when the job may not go on: it was cancelled, or its lease was lost. The
 * worker stops the job there instead of finishing work nobody will record.
 */
public class JobStoppedException extends RuntimeException {

    public JobStoppedException(String jobId) {
        super(jobId + " was cancelled or lost its lease; stopping at this checkpoint");
    }
}
