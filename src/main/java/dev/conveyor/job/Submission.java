package dev.conveyor.job;

/** The job an intake request resulted in; {@code created} is false when an idempotency key matched. */
public record Submission(Job job, boolean created) {
}
