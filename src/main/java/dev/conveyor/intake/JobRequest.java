package dev.conveyor.intake;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request for a job from any source (HTTP, inbox, SQL table), parsed but not yet checked against the
 * job type's contract. Optional fields are null when absent; {@code fileSizeBytes} is the size of the file a
 * job reads, when there is one (it routes big files to the bulk lane). {@code uniqueKey} and {@code uniqueFor}
 * (an ISO-8601 duration, as sent; null: while the job is active) ask for a unique job ({@link UniqueKeys}).
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
        String uniqueKey,
        String uniqueFor) {

    /** A request no API key made (the inbox, the SQL source, a chain), with no unique key. */
    public JobRequest(String tenantId, String source, String type, JsonNode payload, String priority, String runAt,
                      String correlationId, String parentJobId, String idempotencyKey, Long fileSizeBytes) {
        this(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId, idempotencyKey,
                fileSizeBytes, null, null, null);
    }

    /** The same request, recorded as made by the API key {@code keyId}. */
    public JobRequest submittedBy(String keyId) {
        return new JobRequest(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId,
                idempotencyKey, fileSizeBytes, keyId, uniqueKey, uniqueFor);
    }

    /** The same request, asking for a unique job: {@code key} held while active (uniqueFor null) or for a period. */
    public JobRequest unique(String key, String uniqueFor) {
        return new JobRequest(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId,
                idempotencyKey, fileSizeBytes, submittedBy, key, uniqueFor);
    }

    /** A request from a source that is not a file upload. */
    public static JobRequest of(String tenantId, String source, String type, JsonNode payload, String priority,
                                String runAt, String correlationId, String parentJobId, String idempotencyKey) {
        return new JobRequest(tenantId, source, type, payload, priority, runAt, correlationId, parentJobId,
                idempotencyKey, null);
    }
}
