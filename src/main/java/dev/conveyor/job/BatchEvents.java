package dev.conveyor.job;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Builds the events of a batch in the v1 envelope the job events use (docs/architecture.md, section 7), written
 * through the same {@link JobEventLog}. A batch event is about no one job: its {@code job_id} and
 * {@code job_execution_id} are null (the envelope allows that for batch.* events only), {@code task} is
 * {@code batch}, and it carries {@code batch_id} and a {@code batch} object. In the job_events table its row's
 * job_id column holds the batch_id, the subject the event is about.
 */
public final class BatchEvents {

    private BatchEvents() {
    }

    /** batch.started: the batch was written with its first jobs ({@code jobs}, which tell its listing and size). */
    public static JobEvent started(Batch batch, List<Job> jobs) {
        return of(BatchEventType.STARTED, batch, jobs, null);
    }

    /** batch.completed: the batch closed; its status, job counts by status, row counts and reconciliation. */
    public static JobEvent completed(Batch batch, List<Job> jobs) {
        Long latency = batch.completedAt() == null ? null
                : Math.max(0, Duration.between(batch.createdAt(), batch.completedAt()).toMillis());
        return of(BatchEventType.COMPLETED, batch, jobs, latency);
    }

    private static JobEvent of(BatchEventType type, Batch batch, List<Job> jobs, Long latencyMs) {
        UUID eventId = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Job first = jobs.isEmpty() ? null : jobs.get(0);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("event_id", eventId.toString());
        envelope.put("event_type", type.wireName());
        envelope.put("version", JobEvents.VERSION);
        envelope.put("job_id", null);
        envelope.put("job_execution_id", null);
        envelope.put("task", "batch");
        envelope.put("timestamp", now.toString());
        envelope.put("tenant_id", batch.tenantId());
        // a file's batch is about one listing: its first job's (the jobs of a POST /jobs/batch may differ)
        envelope.put("marketplace", first == null ? null : first.marketplace());
        envelope.put("category", first == null ? null : first.category());
        envelope.put("region", first == null ? null : first.region());
        envelope.put("partition_key", first == null ? null : first.partitionKey());
        envelope.put("correlation_id", null);
        envelope.put("parent_job_id", null);
        envelope.put("batch_id", batch.batchId());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("payload_size_bytes", jobs.stream().filter(job -> job.parentJobId() == null)
                .mapToLong(Job::payloadSizeBytes).sum());
        if (latencyMs != null) {
            metrics.put("latency_ms", latencyMs);
        }
        envelope.put("metrics", metrics);
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("source", batch.source());
        about.put("source_ref", batch.sourceRef());
        about.put("status", batch.status().name());
        about.put("sha256", batch.sha256());
        about.put("jobs_total", jobs.size());
        if (type == BatchEventType.COMPLETED) {
            Map<String, Long> byStatus = new TreeMap<>();
            jobs.forEach(job -> byStatus.merge(job.status().name(), 1L, Long::sum));
            about.put("jobs_by_status", byStatus);
            about.put("rows_total", batch.rows().total());
            about.put("rows_valid", batch.rows().valid());
            about.put("rows_invalid", batch.rows().invalid());
            about.put("rows_loaded", batch.rows().loaded());
            about.put("rows_unchanged", batch.rows().unchanged());
            about.put("reconciliation", batch.reconciliation());
        }
        envelope.put("batch", about);
        return new JobEvent(eventId, type.wireName(), batch.batchId(), now, envelope);
    }
}
