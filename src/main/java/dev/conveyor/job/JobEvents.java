package dev.conveyor.job;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;


/** Builds the event envelope (architecture, section 7) for a job at a lifecycle step. */
public final class JobEvents {

    public static final String VERSION = "v1";

    private JobEvents() {
    }

    public static JobEvent of(EventType type, Job job, Map<String, Object> metrics, Map<String, Object> error) {
        UUID eventId = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("event_id", eventId.toString());
        envelope.put("event_type", type.wireName());
        envelope.put("version", VERSION);
        envelope.put("job_id", job.jobId());
        envelope.put("job_execution_id", executionId(job, type));
        envelope.put("task", job.type());
        envelope.put("timestamp", now.toString());
        envelope.put("tenant_id", job.tenantId());
        envelope.put("marketplace", job.marketplace());
        envelope.put("category", job.category());
        envelope.put("region", job.region());
        envelope.put("partition_key", job.partitionKey());
        envelope.put("correlation_id", job.correlationId());
        envelope.put("parent_job_id", job.parentJobId());
        if (job.batchId() != null) {
            envelope.put("batch_id", job.batchId());
        }
        Map<String, Object> allMetrics = new LinkedHashMap<>();
        allMetrics.put("payload_size_bytes", job.payloadSizeBytes());
        if (ends(type) && job.completedAt() != null) {
            allMetrics.put("latency_ms", Duration.between(job.createdAt(), job.completedAt()).toMillis());
        }
        if (metrics != null) {
            allMetrics.putAll(metrics);
        }
        envelope.put("metrics", allMetrics);
        if (error != null) {
            envelope.put("error", error);
        }
        if (type == EventType.RETRYING) {
            envelope.put("retry_count", job.retryCount());
        }
        if (type == EventType.PROGRESS) {
            envelope.put("progress", job.progress());
        }
        return new JobEvent(eventId, type.wireName(), job.jobId(), now, envelope);
    }

    /**
     * job.progress of a running job: the percent its processor just reported (the job row read at the claim
     * does not know it yet) and, when the processor counts rows, how many it has read.
     */
    public static JobEvent progress(Job job, int percent, Long rowsProcessed) {
        Map<String, Object> metrics = rowsProcessed == null ? null : Map.of("rows_processed", rowsProcessed);
        JobEvent event = of(EventType.PROGRESS, job, metrics, null);
        event.envelope().put("progress", percent);
        return event;
    }

    /**
     * Whether the event ends the job, so latency_ms (created to finished) means something. A job run again
     * after FAILED or DEAD_LETTERED still has the old completed_at while it waits and runs.
     */
    private static boolean ends(EventType type) {
        return switch (type) {
            case COMPLETED, FAILED, DEAD_LETTERED, CANCELLED -> true;
            default -> false;
        };
    }

    /**
     * Differs per attempt and is stable within one, so an attempt's events can be grouped. job.queued names the
     * attempt it queues the job for (the claim that follows counts it), so queued, started and completed of a
     * first run share one id; an event of a job that never ran (cancelled while queued) names attempt 1 too.
     * job.requeued likewise names the attempt that will run next: the hand-back does not count the one it
     * interrupted, so that is the same attempt again.
     */
    static String executionId(Job job, EventType type) {
        int attempt = type == EventType.QUEUED || type == EventType.REQUEUED
                ? job.attempts() + 1 : Math.max(job.attempts(), 1);
        return "exec_" + nameUuidHex((job.jobId() + "#" + attempt).getBytes(StandardCharsets.UTF_8));
    }

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new InternalError("MD5 is a required algorithm of every Java platform", e);
        }
    });
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * {@code UUID.nameUUIDFromBytes(name).toString()} without its dashes, the same characters, made without
     * looking the digest up, a UUID or a replace at each call: every event of every job asks for it (5% of the
     * service's CPU in the W0 drain).
     */
    static String nameUuidHex(byte[] name) {
        byte[] md5 = MD5.get().digest(name);
        md5[6] &= 0x0f;  // version 3, as UUID.nameUUIDFromBytes
        md5[6] |= 0x30;
        md5[8] &= 0x3f;  // IETF variant
        md5[8] |= (byte) 0x80;
        char[] hex = new char[32];
        for (int i = 0; i < 16; i++) {
            hex[2 * i] = HEX[(md5[i] >> 4) & 0x0f];
            hex[2 * i + 1] = HEX[md5[i] & 0x0f];
        }
        return new String(hex);
    }
}
