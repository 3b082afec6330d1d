package dev.conveyor.intake;

/** A submission refused because another job holds its unique key: 409, with that job's id as {@code job_id}. */
public class UniqueKeyConflictException extends ProblemException {

    private final String jobId;

    public UniqueKeyConflictException(String uniqueKey, String holder) {
        super(409, "Conflict", UniqueKeys.refusal(uniqueKey, holder));
        this.jobId = holder;
    }

    /** The job that holds the key. */
    public String jobId() {
        return jobId;
    }
}
