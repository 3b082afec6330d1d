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
        int maxAttempts,
        String submittedBy) {

    /** A job no API key submitted (the inbox, the SQL source, a chain). */
    public NewJob(String tenantId, String type, String source, Priority priority, String payloadJson,
                  long payloadSizeBytes, String idempotencyKey, String requestHash, String correlationId,
                  String parentJobId, String marketplace, String category, String region, Instant runAt,
                  int maxAttempts) {
        this(tenantId, type, source, priority, payloadJson, payloadSizeBytes, idempotencyKey, requestHash,
                correlationId, parentJobId, marketplace, category, region, runAt, maxAttempts, null);
    }
}
