package dev.conveyor.job;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The lifecycle of a job, and the transitions it allows (architecture, section 3). */
public enum JobStatus {
    QUEUED, RUNNING, RETRYING, SUCCESS, PARTIAL_SUCCESS, FAILED, DEAD_LETTERED, CANCELLED;

    private static final Map<JobStatus, Set<JobStatus>> ALLOWED = Map.of(
            QUEUED, EnumSet.of(RUNNING, CANCELLED),
            RUNNING, EnumSet.of(SUCCESS, PARTIAL_SUCCESS, FAILED, RETRYING, DEAD_LETTERED, CANCELLED),
            RETRYING, EnumSet.of(RUNNING, DEAD_LETTERED, CANCELLED),
            SUCCESS, EnumSet.noneOf(JobStatus.class),
            PARTIAL_SUCCESS, EnumSet.noneOf(JobStatus.class),
            FAILED, EnumSet.of(QUEUED),
            DEAD_LETTERED, EnumSet.of(QUEUED),
            CANCELLED, EnumSet.noneOf(JobStatus.class));

    public boolean canMoveTo(JobStatus next) {
        return ALLOWED.get(this).contains(next);
    }

    public boolean isTerminal() {
        return this == SUCCESS || this == PARTIAL_SUCCESS || this == FAILED || this == DEAD_LETTERED
                || this == CANCELLED;
    }

    /** Statuses from which a worker may claim a job. */
    public static final Set<JobStatus> CLAIMABLE = EnumSet.of(QUEUED, RETRYING);
}
