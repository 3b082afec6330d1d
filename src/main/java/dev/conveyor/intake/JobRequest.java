package dev.conveyor.intake;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request for a job from any source (HTTP, inbox, SQL table), parsed but not yet checked against the
 * job type's contract. Optional fields are null when absent; {@code fileSizeBytes} is the size of the file a
 * job reads, when there is one (it routes big files to the bulk lane). {@code delay} (ISO-8601, such as PT10M) is the
 * other way to say when the job is due than {@code runAt}: that long after intake takes it. {@code uniqueKey} and
 * {@code uniqueFor} (an ISO-8601 duration, as sent; null: while the job is active) ask for a unique job
 * ({@link UniqueKeys}). {@code batchId} is the batch the job joins (bat_...), or null.
 */
public record JobRequest(
        String tenantId,
        String source,
        String type,
        JsonNode payload,
        String priority,
        String runAt,
        String correlationId,
        String parentJobId,
        String idempotencyKey,
        Long fileSizeBytes,
        String submittedBy,
        String delay,
        String uniqueKey,
        String uniqueFor,
        String batchId) {

    /** A request no API key made (the inbox, the SQL source, a chain). */
    public JobRequest(String tenantId, String source, String type, JsonNode payload, String priority, String runAt,
                      String correlationId, String parentJobId, String idempotencyKey, Long fileSizeBytes) {
        this(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId, idempotencyKey,
                fileSizeBytes, null, null, null, null, null);
    }

    /** The same request, recorded as made by the API key {@code keyId}. */
    public JobRequest submittedBy(String keyId) {
        return new JobRequest(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId,
                idempotencyKey, fileSizeBytes, keyId, delay, uniqueKey, uniqueFor, batchId);
    }

    /** The same request, due {@code isoDuration} after intake takes it. */
    public JobRequest delayedBy(String isoDuration) {
        return new JobRequest(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId,
                idempotencyKey, fileSizeBytes, submittedBy, isoDuration, uniqueKey, uniqueFor, batchId);
    }

    /** The same request, asking for a unique job: {@code key} held while active (uniqueFor null) or for a period. */
    public JobRequest unique(String key, String period) {
        return new JobRequest(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId,
                idempotencyKey, fileSizeBytes, submittedBy, delay, key, period, batchId);
    }

    /** The same request under another idempotency key (a schedule names each tick's job). */
    public JobRequest withIdempotencyKey(String key) {
        return new JobRequest(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId,
                key, fileSizeBytes, submittedBy, delay, uniqueKey, uniqueFor, batchId);
    }

    /** The same request, from another source (a schedule's jobs are its, not the API's). */
    public JobRequest from(String otherSource) {
        return new JobRequest(tenantId, otherSource, type, payload, priority, runAt, correlationId, parentJobId,
                idempotencyKey, fileSizeBytes, submittedBy, delay, uniqueKey, uniqueFor, batchId);
    }

    /** The same request, for a job of the batch {@code id}. */
    public JobRequest inBatch(String id) {
        return new JobRequest(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId,
                idempotencyKey, fileSizeBytes, submittedBy, delay, uniqueKey, uniqueFor, id);
    }

    /** A request from a source that is not a file upload. */
    public static JobRequest of(String tenantId, String source, String type, JsonNode payload, String priority,
                                String runAt, String correlationId, String parentJobId, String idempotencyKey) {
        return new JobRequest(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId,
                idempotencyKey, null);
    }
}
