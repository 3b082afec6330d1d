package dev.conveyor.job;

/**
 * A status change the lifecycle table ({@link JobStatus}) forbids: a bug in the caller, never a lost race (a
 * race shows as an empty result of the {@link JobLifecycle} method instead).
 */
public class IllegalJobTransitionException extends IllegalStateException {

    private final String jobId;
    private final JobStatus from;
    private final JobStatus to;

    public IllegalJobTransitionException(String jobId, JobStatus from, JobStatus to) {
        super("illegal job transition: " + jobId + " " + from + " -> " + to);
        this.jobId = jobId;
        this.from = from;
        this.to = to;
    }

    public String jobId() {
        return jobId;
    }

    public JobStatus from() {
        return from;
    }

    public JobStatus to() {
        return to;
    }
}
