package dev.conveyor.job;

import java.time.Instant;

/**
 * Which of a tenant's jobs: the filters of {@code GET /jobs}, shared by the bulk actions ({@code POST /jobs/retry},
 * {@code POST /jobs/cancel}) so that what a listing shows is what a bulk action takes. Null means "any";
 * {@code createdAfter} is inclusive, {@code createdBefore} exclusive.
 */
public record JobFilter(String tenantId, JobStatus status, String type, String correlationId, Instant createdAfter,
                        Instant createdBefore) {

    /** Whether anything narrows the tenant's jobs down (a bulk action without any must say all=true). */
    public boolean narrows() {
        return status != null || type != null || correlationId != null || createdAfter != null
                || createdBefore != null;
    }
}
