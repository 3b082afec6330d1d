package dev.conveyor.intake;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.Batch;
import dev.conveyor.job.BatchIds;
import dev.conveyor.job.BatchStore;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobStore;
import org.springframework.stereotype.Component;

/**
 * A batch as the API shows it (docs/batches.md): {@code GET /batches/{batch_id}} answers it, {@code GET /batches}
 * lists its summary, and a batch's webhook callback POSTs it. Its own class so that the webhook's processor reads
 * what the API shows without depending on the controller (which depends on intake, which knows the processors).
 */
@Component
public class BatchDocuments {

    private final BatchStore batches;
    private final JobStore jobs;
    private final JobViews views;
    private final ObjectMapper json;

    public BatchDocuments(BatchStore batches, JobStore jobs, JobViews views, ObjectMapper json) {
        this.batches = batches;
        this.jobs = jobs;
        this.views = views;
        this.json = json;
    }

    /** The batch of the tenant with its progress, its jobs counted by status, and its jobs; 404 when none. */
    public Map<String, Object> document(String tenantId, String batchId) {
        Batch batch = find(tenantId, batchId);
        List<Job> ofBatch = jobs.ofBatch(batch.batchId());
        Map<String, Object> view = summary(batch);
        view.put("progress", BatchProgress.of(batch, ofBatch, json));
        Map<String, Long> byStatus = new TreeMap<>();
        ofBatch.forEach(job -> byStatus.merge(job.status().name(), 1L, Long::sum));
        view.put("jobs_total", ofBatch.size());
        view.put("jobs_by_status", byStatus);
        view.put("jobs", ofBatch.stream().map(views::summary).toList());
        return view;
    }

    /**
     * A page of batches as {@code GET /batches} lists them: each summary with its progress, the jobs of the open
     * ones read in one query (a closed batch is at 100 without them).
     */
    public List<Map<String, Object>> summaries(List<Batch> page) {
        Map<String, List<Job>> ofOpen = jobs.ofBatches(page.stream().filter(batch -> !batch.status().isFinal())
                .map(Batch::batchId).toList());
        return page.stream().map(batch -> {
            Map<String, Object> view = summary(batch);
            view.put("progress", BatchProgress.of(batch, ofOpen.getOrDefault(batch.batchId(), List.of()), json));
            return view;
        }).toList();
    }

    /** What a batch is, without its jobs. */
    Map<String, Object> summary(Batch batch) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("batch_id", batch.batchId());
        view.put("source", batch.source());
        view.put("source_ref", batch.sourceRef());
        view.put("status", batch.status().name());
        view.put("rows_total", batch.rows().total());
        view.put("rows_valid", batch.rows().valid());
        view.put("rows_invalid", batch.rows().invalid());
        view.put("rows_loaded", batch.rows().loaded());
        view.put("rows_unchanged", batch.rows().unchanged());
        view.put("reconciliation", batch.reconciliation());
        view.put("sha256", batch.sha256());
        view.put("cancel_requested", batch.cancelRequested());
        view.put("callback_job_ids", views.parse(batch.callbackJobIdsJson()));
        view.put("created_at", JobViews.iso(batch.createdAt()));
        view.put("completed_at", JobViews.iso(batch.completedAt()));
        return view;
    }

    /** The batch of the tenant; 404 (problem+json) for a malformed id or another tenant's batch. */
    Batch find(String tenantId, String batchId) {
        if (!BatchIds.isWellFormed(batchId)) {
            throw ProblemException.notFound("no batch " + Echo.of(batchId) + "; a batch_id is bat_ and 32 hex digits");
        }
        return batches.find(tenantId, batchId).orElseThrow(() -> ProblemException.notFound("no batch "
                + batchId + " for tenant '" + tenantId + "'; GET /batches lists the tenant's batches"));
    }
}
