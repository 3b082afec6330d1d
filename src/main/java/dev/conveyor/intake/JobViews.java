package dev.conveyor.intake;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.Job;
import org.springframework.stereotype.Component;

/** How jobs look in the HTTP API. */
@Component
public class JobViews {

    private final ObjectMapper json;

    public JobViews(ObjectMapper json) {
        this.json = json;
    }

    /** The answer to a submission: {@code {"job_id","status","created_at"}}. */
    public Map<String, Object> accepted(Job job) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("job_id", job.jobId());
        view.put("status", job.status().name());
        view.put("created_at", iso(job.createdAt()));
        return view;
    }

    public Map<String, Object> summary(Job job) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("job_id", job.jobId());
        view.put("type", job.type());
        view.put("status", job.status().name());
        view.put("priority", job.priority().wireName());
        view.put("source", job.source());
        view.put("progress", job.progress());
        view.put("retry_count", job.retryCount());
        view.put("marketplace", job.marketplace());
        view.put("category", job.category());
        view.put("region", job.region());
        view.put("correlation_id", job.correlationId());
        view.put("parent_job_id", job.parentJobId());
        view.put("batch_id", job.batchId());
        view.put("error_message", job.errorMessage());
        view.put("created_at", iso(job.createdAt()));
        view.put("updated_at", iso(job.updatedAt()));
        view.put("completed_at", iso(job.completedAt()));
        return view;
    }

    public Map<String, Object> detail(Job job, List<String> children) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("job_id", job.jobId());
        view.put("type", job.type());
        view.put("status", job.status().name());
        view.put("priority", job.priority().wireName());
        view.put("lane", job.lane());
        view.put("source", job.source());
        view.put("tenant_id", job.tenantId());
        view.put("submitted_by", job.submittedBy());
        view.put("progress", job.progress());
        view.put("result", parse(job.resultJson()));
        view.put("result_url", job.resultUrl());
        view.put("errors", parse(job.errorsJson()));
        view.put("error_message", job.errorMessage());
        view.put("attempts", job.attempts());
        view.put("retry_count", job.retryCount());
        view.put("max_attempts", job.maxAttempts());
        view.put("marketplace", job.marketplace());
        view.put("category", job.category());
        view.put("region", job.region());
        view.put("correlation_id", job.correlationId());
        view.put("parent_job_id", job.parentJobId());
        view.put("batch_id", job.batchId());
        view.put("children", children);
        view.put("unique_key", job.uniqueKey());
        // null for a key held while the job is active
        view.put("unique_until", iso(job.uniqueUntil()));
        view.put("payload_size_bytes", job.payloadSizeBytes());
        view.put("run_at", iso(job.runAt()));
        view.put("created_at", iso(job.createdAt()));
        view.put("updated_at", iso(job.updatedAt()));
        view.put("started_at", iso(job.startedAt()));
        view.put("completed_at", iso(job.completedAt()));
        return view;
    }

    /** Stored JSON text as a tree, null for none; BatchDocuments reads a batch's stored JSON the same way. */
    JsonNode parse(String jsonText) {
        if (jsonText == null) {
            return null;
        }
        try {
            return json.readTree(jsonText);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not parse", e);
        }
    }

    static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
