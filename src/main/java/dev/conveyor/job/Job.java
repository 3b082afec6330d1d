package dev.conveyor.job;

import java.time.Instant;
import java.util.UUID;

/** A job row as stored. JSON columns are kept as JSON text; the API layer renders them. */
public record Job(
        UUID id,
        String jobId,
        String tenantId,
        String type,
        String source,
        JobStatus status,
        Priority priority,
        String lane,
        String payloadJson,
        long payloadSizeBytes,
        String idempotencyKey,
        String requestHash,
        String correlationId,
        String parentJobId,
        String marketplace,
        String category,
        String region,
        int progress,
        int attempts,
        int retryCount,
        int maxAttempts,
        Instant runAt,
        Instant leaseUntil,
        String resultJson,
        String resultUrl,
        String errorsJson,
        String errorMessage,
        Instant createdAt,
        Instant updatedAt,
        Instant startedAt,
        Instant completedAt,
        String claimedBy,
        boolean cancelRequested,
        String submittedBy,
        /* the children a finished job asks for (JSON array of {type, payload}) until they exist; else null */
        String followUpsJson,
        /* the unique key the job holds (V50), or null; held until uniqueUntil, or while active when that is null */
        String uniqueKey,
        Instant uniqueUntil,
        /* the batch the job belongs to (bat_...), or null */
        String batchId) {

    /** {@code marketplace:category[:region]}, the key that keeps one listing's jobs together. */
    public String partitionKey() {
        return PartitionKeys.of(marketplace, category, region);
    }
}
