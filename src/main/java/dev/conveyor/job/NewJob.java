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
        String submittedBy,
        /* the batch the job belongs to (bat_...), or null */
        String batchId) {

    /** A job an API key may have submitted, in no batch. */
    public NewJob(String tenantId, String type, String source, Priority priority, String payloadJson,
                  long payloadSizeBytes, String idempotencyKey, String requestHash, String correlationId,
                  String parentJobId, String marketplace, String category, String region, Instant runAt,
                  int maxAttempts, String submittedBy) {
        this(tenantId, type, source, priority, payloadJson, payloadSizeBytes, idempotencyKey, requestHash,
                correlationId, parentJobId, marketplace, category, region, runAt, maxAttempts, submittedBy, null);
    }

    /** A job no API key submitted (the inbox, the SQL source, a chain). */
    public NewJob(String tenantId, String type, String source, Priority priority, String payloadJson,
                  long payloadSizeBytes, String idempotencyKey, String requestHash, String correlationId,
                  String parentJobId, String marketplace, String category, String region, Instant runAt,
                  int maxAttempts) {
        this(tenantId, type, source, priority, payloadJson, payloadSizeBytes, idempotencyKey, requestHash,
                correlationId, parentJobId, marketplace, category, region, runAt, maxAttempts, null, null);
    }

    /** The same job, in the batch {@code batchId}. */
    public NewJob inBatch(String batchId) {
        return new NewJob(tenantId, type, source, priority, payloadJson, payloadSizeBytes, idempotencyKey, requestHash,
                correlationId, parentJobId, marketplace, category, region, runAt, maxAttempts, submittedBy, batchId);
    }
}
