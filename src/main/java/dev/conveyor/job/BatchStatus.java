package dev.conveyor.job;

import java.util.Collection;

/**
 * The status of a batch: RUNNING until every job of it is final and no job still has follow-ups to create, then
 * one of the others, decided once by {@link #of} from its jobs' statuses.
 */
public enum BatchStatus {
    RUNNING, SUCCESS, PARTIAL_SUCCESS, FAILED, CANCELLED;

    /**
     * A closed batch's status from its jobs' final statuses: CANCELLED when any was cancelled (someone stopped the
     * batch), SUCCESS when all succeeded, FAILED when none got anywhere (each FAILED or DEAD_LETTERED), else
     * PARTIAL_SUCCESS (some rows or some jobs failed).
     */
    public static BatchStatus of(Collection<JobStatus> jobs) {
        if (jobs.contains(JobStatus.CANCELLED)) {
            return CANCELLED;
        }
        if (!jobs.isEmpty() && jobs.stream().allMatch(s -> s == JobStatus.SUCCESS)) {
            return SUCCESS;
        }
        if (jobs.stream().allMatch(s -> s == JobStatus.FAILED || s == JobStatus.DEAD_LETTERED)) {
            return FAILED;
        }
        return PARTIAL_SUCCESS;
    }

    public boolean isFinal() {
        return this != RUNNING;
    }
}
