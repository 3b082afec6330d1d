package dev.conveyor.worker;

import java.time.Duration;

/** An attempt ran past its job type's time limit and was stopped. */
public class JobTimedOutException extends RuntimeException {

    public JobTimedOutException(String jobId, Duration limit) {
        super(jobId + " ran past its time limit of " + limit + " and was stopped");
    }
}
