package dev.conveyor.job;

/**
 * Listing a tenant's jobs, newest first: the filter, and a page of it. {@code after} is the job_id of the last job
 * of the previous page.
 */
public record JobQuery(JobFilter filter, String after, int limit) {
}
