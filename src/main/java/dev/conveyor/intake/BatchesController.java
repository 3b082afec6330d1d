package dev.conveyor.intake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.conveyor.job.Batch;
import dev.conveyor.job.BatchIds;
import dev.conveyor.job.BatchQuery;
import dev.conveyor.job.BatchStatus;
import dev.conveyor.job.BatchStore;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobStore;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The batches of the caller's tenant (docs/batches.md): one batch with its jobs, a page of them, and the cancel of
 * every unfinished job of one. Another tenant's batch is answered as no batch at all (404), as a job is.
 */
@RestController
@RequestMapping("/batches")
public class BatchesController {

    /** The sources a batch comes from, as {@code GET /batches?source=} takes them; public for the dashboard. */
    public static final List<String> SOURCES = List.of("inbox", "upload", "url", "api");

    private final BatchStore batches;
    private final JobStore jobs;
    private final JobLifecycle lifecycle;
    private final BatchDocuments documents;
    private final InvalidRowsReplay replays;

    public BatchesController(BatchStore batches, JobStore jobs, JobLifecycle lifecycle, BatchDocuments documents,
                             InvalidRowsReplay replays) {
        this.batches = batches;
        this.jobs = jobs;
        this.lifecycle = lifecycle;
        this.documents = documents;
        this.replays = replays;
    }

    /** GET /batches/{batch_id}: the batch, its progress, its jobs counted by status, and its jobs. */
    @GetMapping("/{batch_id}")
    Map<String, Object> batch(RequestScope scope, @PathVariable("batch_id") String batchId) {
        return documents.document(scope.tenantId(), batchId);
    }

    /** GET /batches?status=&source=&limit=&after=: a page of the tenant's batches, newest first. */
    @GetMapping
    Map<String, Object> list(RequestScope scope, @RequestParam(required = false) String status,
                             @RequestParam(required = false) String source,
                             @RequestParam(defaultValue = PageLimit.DEFAULT) PageLimit limit,
                             @RequestParam(required = false) String after) {
        String afterId = JobsController.text(after);
        if (afterId != null && !BatchIds.isWellFormed(afterId)) {
            throw ProblemException.badRequest("'after' must be a batch_id from a previous page");
        }
        String sourceName = JobsController.text(source);
        if (sourceName != null && !SOURCES.contains(sourceName)) {
            throw ProblemException.badRequest("unknown source '" + Echo.of(sourceName) + "'; one of " + SOURCES);
        }
        List<Batch> page = batches.list(new BatchQuery(scope.tenantId(), status(status), sourceName, afterId,
                limit.value()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("batches", documents.summaries(page));
        body.put("next_after", page.size() == limit.value() ? page.get(page.size() - 1).batchId() : null);
        return body;
    }

    /**
     * POST /batches/{batch_id}/cancel: every job of the batch that has not finished is cancelled through the
     * lifecycle (a waiting one never runs, a running one stops at its next checkpoint), and no follow-up is created
     * for it any more. The batch closes as CANCELLED once its jobs are final.
     */
    @PostMapping("/{batch_id}/cancel")
    ResponseEntity<Map<String, Object>> cancel(RequestScope scope, @PathVariable("batch_id") String batchId) {
        Batch batch = documents.find(scope.tenantId(), batchId);
        if (!batches.requestCancel(batch.batchId())) {
            throw new ProblemException(409, "Conflict", batch.batchId() + " is already "
                    + batches.find(batch.batchId()).orElse(batch).status() + ": a finished batch cannot be cancelled");
        }
        List<String> cancelled = new ArrayList<>();
        List<String> stopping = new ArrayList<>();
        for (Job job : jobs.ofBatch(batch.batchId())) {
            if (job.status().isTerminal()) {
                continue;
            }
            if (lifecycle.cancelWaiting(job.jobId()).isPresent()) {
                cancelled.add(job.jobId());
            } else if (jobs.requestCancel(job.jobId())) {
                stopping.add(job.jobId());
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("batch_id", batch.batchId());
        body.put("cancelled", cancelled);
        body.put("cancel_requested", stopping);
        return ResponseEntity.accepted().body(body);
    }

    /**
     * POST /batches/{batch_id}/replay-invalid: a CSV of the batch's invalid rows with their values corrected (the
     * validation report's rows, its {@code row} column kept), validated and loaded as part of the batch
     * ({@link InvalidRowsReplay}). 202 with the replay's job; the batch is RUNNING until it closes again.
     */
    @PostMapping("/{batch_id}/replay-invalid")
    ResponseEntity<Map<String, Object>> replayInvalid(RequestScope scope, @PathVariable("batch_id") String batchId,
                                                      java.io.InputStream body) throws java.io.IOException {
        Batch batch = documents.find(scope.tenantId(), batchId);
        InvalidRowsReplay.Replay replay = replays.replay(scope.tenantId(), batch.batchId(), body,
                scope.caller().keyId());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("batch_id", replay.batchId());
        answer.put("job_id", replay.jobId());
        answer.put("rows", replay.rows());
        answer.put("status", BatchStatus.RUNNING.name());
        return ResponseEntity.accepted().body(answer);
    }

    private static BatchStatus status(String value) {
        String status = JobsController.text(value);
        if (status == null) {
            return null;
        }
        try {
            return BatchStatus.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("unknown batch status '" + Echo.of(status) + "'; one of "
                    + List.of(BatchStatus.values()));
        }
    }
}
