package dev.conveyor.job;

/**
 * Filters for listing a tenant's batches, newest first; null means "any". {@code after} is the batch_id of the
 * last batch of the previous page.
 */
public record BatchQuery(String tenantId, BatchStatus status, String source, String after, int limit) {
}
