package dev.conveyor.intake;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request for a job from any source (HTTP, inbox, SQL table), parsed but not yet checked against the
 * job type's contract. Optional fields are null when absent; {@code fileSizeBytes} is the size of the file a
 * job reads, when there is one (it routes big files to the bulk lane).
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
        /* the batch the job joins (bat_...), or null */
        String batchId) {

    public JobRequest(String tenantId, String source, String type, JsonNode payload, String priority, String runAt,
                      String correlationId, String parentJobId, String idempotencyKey, Long fileSizeBytes,
                      String submittedBy) {
        this(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId, idempotencyKey,
                fileSizeBytes, submittedBy, null);
    }

    /** A request no API key made (the inbox, the SQL source, a chain). */
    public JobRequest(String tenantId, String source, String type, JsonNode payload, String priority, String runAt,
                      String correlationId, String parentJobId, String idempotencyKey, Long fileSizeBytes) {
        this(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId, idempotencyKey,
                fileSizeBytes, null);
    }

    /** The same request, recorded as made by the API key {@code keyId}. */
    public JobRequest submittedBy(String keyId) {
        return new JobRequest(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId,
                idempotencyKey, fileSizeBytes, keyId, batchId);
    }

    /** The same request, for a job of the batch {@code id}. */
    public JobRequest inBatch(String id) {
        return new JobRequest(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId,
                idempotencyKey, fileSizeBytes, submittedBy, id);
    }

    /** A request from a source that is not a file upload. */
    public static JobRequest of(String tenantId, String source, String type, JsonNode payload, String priority,
                                String runAt, String correlationId, String parentJobId, String idempotencyKey) {
        return new JobRequest(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId,
                idempotencyKey, null);
    }
}
