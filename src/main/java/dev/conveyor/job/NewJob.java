package dev.conveyor.job;

import java.time.Duration;
import java.time.Instant;

/**
 * A job as a source hands it in, before it has a row. Payload is JSON text, already validated. {@code uniqueKey},
 * when not null, is the unique key the job will hold: while it is active when {@code uniqueFor} is null, else for
 * {@code uniqueFor} from its creation (docs/architecture.md, section 4, "Unique jobs"). {@code batchId} names the
 * batch the job belongs to, or is null.
 */
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
        String uniqueKey,
        Duration uniqueFor,
        /* the batch the job belongs to (bat_...), or null */
        String batchId) {

    /** A job with no unique key, in no batch. */
    public NewJob(String tenantId, String type, String source, Priority priority, String payloadJson,
                  long payloadSizeBytes, String idempotencyKey, String requestHash, String correlationId,
                  String parentJobId, String marketplace, String category, String region, Instant runAt,
                  int maxAttempts, String submittedBy) {
        this(tenantId, type, source, priority, payloadJson, payloadSizeBytes, idempotencyKey, requestHash,
                correlationId, parentJobId, marketplace, category, region, runAt, maxAttempts, submittedBy, null, null,
                null);
    }

    /** A job no API key submitted (the inbox, the SQL source, a chain), with no unique key. */
    public NewJob(String tenantId, String type, String source, Priority priority, String payloadJson,
                  long payloadSizeBytes, String idempotencyKey, String requestHash, String correlationId,
                  String parentJobId, String marketplace, String category, String region, Instant runAt,
                  int maxAttempts) {
        this(tenantId, type, source, priority, payloadJson, payloadSizeBytes, idempotencyKey, requestHash,
                correlationId, parentJobId, marketplace, category, region, runAt, maxAttempts, null);
    }

    /** The same job, in the batch {@code batchId}. */
    public NewJob inBatch(String batchId) {
        return new NewJob(tenantId, type, source, priority, payloadJson, payloadSizeBytes, idempotencyKey, requestHash,
                correlationId, parentJobId, marketplace, category, region, runAt, maxAttempts, submittedBy, uniqueKey,
                uniqueFor, batchId);
    }
}
