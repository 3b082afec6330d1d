package dev.conveyor.job;

/**
 * Filters for listing a tenant's jobs, newest first; null means "any". {@code after} is the job_id of the
 * last job of the previous page.
 */
public record JobQuery(String tenantId, JobStatus status, String type, String correlationId, String after,
                       int limit) {
}
