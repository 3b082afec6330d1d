package dev.conveyor.job;

import java.time.Instant;

/** A job as a source hands it in, before it has a row. Payload is JSON text, already validated. */
public record NewJob(
        String tenantId,
        String type,
        String source,
        Priority priority,
        String payloadJson,
        long payloadSizeBytes,
        String idempotencyKey,
        String requestHash,
        String correlationId,
        String parentJobId,
        String marketplace,
        String category,
        String region,
        Instant runAt,
        int maxAttempts) {
}
