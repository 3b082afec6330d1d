package dev.conveyor.intake;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobFilter;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobQuery;
import dev.conveyor.job.JobStatus;
import dev.conveyor.job.JobStore;
import dev.conveyor.job.JobTransition;
import dev.conveyor.job.Submission;
import dev.conveyor.processors.BulkImportProcessor;
import dev.conveyor.queue.DispatchSignal;
import dev.conveyor.telemetry.EventHistory;
import dev.conveyor.telemetry.JobStats;
import dev.conveyor.telemetry.StatsWindow;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The jobs API (docs/architecture.md, section 4), one method an operation. Each declares its path, the body types it
 * takes and its parameters, and calls the intake services and the job store directly; a refusal is thrown as a
 * {@link ProblemException} and answered by {@link ApiProblems}. Who calls, and for which tenant, is the
 * {@link RequestScope} parameter.
 */
@RestController
@RequestMapping("/jobs")
public class JobsController {

    /** What POST /jobs/csv takes; the body's first bytes decide whether it is read as CSV or .xlsx. */
    static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final JobRequestParser parser;
    private final JobIntake intake;
    private final BatchIntake batches;
    private final BatchOpener batchOpener;
    private final CsvUploads uploads;
    private final JobStore store;
    private final JobViews views;
    private final EventHistory events;
    private final JobLifecycle lifecycle;
    private final DispatchSignal dispatchSignal;
    private final JobStats stats;
    private final ConveyorProperties properties;

    public JobsController(JobRequestParser parser, JobIntake intake, BatchIntake batches, BatchOpener batchOpener,
                          CsvUploads uploads,
                          JobStore store, JobViews views, EventHistory events, JobLifecycle lifecycle,
                          DispatchSignal dispatchSignal, JobStats stats, ConveyorProperties properties) {
        this.parser = parser;
        this.intake = intake;
        this.batches = batches;
        this.batchOpener = batchOpener;
        this.uploads = uploads;
        this.store = store;
        this.views = views;
        this.events = events;
        this.lifecycle = lifecycle;
        this.dispatchSignal = dispatchSignal;
        this.stats = stats;
        this.properties = properties;
    }

    /** POST /jobs: one job, read up to conveyor.intake.max-json-bytes. */
    @PostMapping(consumes = {MediaType.APPLICATION_JSON_VALUE, "application/*+json"})
    ResponseEntity<Map<String, Object>> submit(RequestScope scope, InputStream body,
                                               @RequestHeader(name = HttpHeaders.CONTENT_LENGTH, required = false) Long length,
                                               @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey)
            throws IOException {
        byte[] json = RequestBodies.readBounded(body, length, properties.intake().maxJsonBytes(),
                "conveyor.intake.max-json-bytes");
        JobRequest request = parser.parse(scope.tenantId(), json, text(idempotencyKey))
                .submittedBy(scope.caller().keyId());
        if (BulkImportProcessor.TYPE.equals(request.type()) && request.payload().hasNonNull("file_url")) {
            // a file fetched from a URL is a batch of its own, as a dropped or uploaded one is
            return accepted(batchOpener.submitAsBatch(request, BatchOpener.Source.URL,
                    request.payload().get("file_url").asText(), null, null));
        }
        return accepted(intake.submit(request));
    }

    /** POST /jobs/csv?marketplace=&category=&region=: a CSV (or .xlsx) body, streamed to a file. */
    @PostMapping(path = "/csv", consumes = {"text/csv", "application/csv", MediaType.TEXT_PLAIN_VALUE,
            MediaType.APPLICATION_OCTET_STREAM_VALUE, XLSX})
    ResponseEntity<Map<String, Object>> submitCsv(RequestScope scope, InputStream body,
                                                  @RequestHeader(name = HttpHeaders.CONTENT_LENGTH, required = false) Long length,
                                                  @RequestParam String marketplace, @RequestParam String category,
                                                  @RequestParam(required = false) String region,
                                                  @RequestHeader(name = "X-Priority", required = false) String priority,
                                                  @RequestHeader(name = "X-Correlation-Id", required = false) String correlationId,
                                                  @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey)
            throws IOException {
        CsvUploads.CsvRequest request = new CsvUploads.CsvRequest(required("marketplace", marketplace),
                required("category", category), text(region), text(priority), text(correlationId),
                text(idempotencyKey));
        return accepted(uploads.submit(scope.tenantId(), scope.caller().keyId(), request, body,
                length == null ? -1 : length));
    }

    /** POST /jobs/batch: a JSON array, or NDJSON, of what POST /jobs takes; all or nothing ({@link BatchIntake}). */
    @PostMapping(path = "/batch", consumes = {MediaType.APPLICATION_JSON_VALUE, "application/*+json",
            MediaType.APPLICATION_NDJSON_VALUE})
    ResponseEntity<Map<String, Object>> submitBatch(RequestScope scope, InputStream body,
                                                    @RequestHeader(name = HttpHeaders.CONTENT_TYPE) MediaType type,
                                                    @RequestHeader(name = HttpHeaders.CONTENT_LENGTH, required = false) Long length,
                                                    @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey)
            throws IOException {
        if (text(idempotencyKey) != null) {
            throw ProblemException.badRequest("a batch takes no Idempotency-Key header; give each item its own "
                    + "'idempotency_key' field");
        }
        byte[] items = RequestBodies.readBounded(body, length, properties.intake().maxBatchBytes(),
                "conveyor.intake.max-batch-bytes");
        BatchIntake.Accepted accepted = batches.submit(scope.tenantId(), scope.caller().keyId(), items,
                MediaType.APPLICATION_NDJSON.equalsTypeAndSubtype(type));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("batch_id", accepted.batchId());
        answer.put("jobs", accepted.submissions().stream().map(s -> views.accepted(s.job())).toList());
        ResponseEntity.BodyBuilder response = ResponseEntity.accepted();
        if (!accepted.anyCreated()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response.body(answer);
    }

    /** GET /jobs/{job_id}: the job with its children. */
    @GetMapping("/{job_id}")
    Map<String, Object> job(RequestScope scope, @PathVariable("job_id") String jobId) {
        Job job = find(scope, jobId);
        return views.detail(job, store.childrenOf(job.jobId()));
    }

    /**
     * GET /jobs?status=&type=&correlation_id=&created_after=&created_before=&limit=&after=: a page of the tenant's
     * jobs, newest first (created_after inclusive, created_before exclusive: ISO-8601 date-times with an offset).
     */
    @GetMapping
    Map<String, Object> list(RequestScope scope, @RequestParam(required = false) String status,
                             @RequestParam(required = false) String type,
                             @RequestParam(name = "correlation_id", required = false) String correlationId,
                             @RequestParam(name = "created_after", required = false)
                             @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) OffsetDateTime createdAfter,
                             @RequestParam(name = "created_before", required = false)
                             @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) OffsetDateTime createdBefore,
                             @RequestParam(defaultValue = PageLimit.DEFAULT) PageLimit limit,
                             @RequestParam(required = false) String after) {
        String afterId = text(after);
        if (afterId != null && !JobIds.isWellFormed(afterId)) {
            throw ProblemException.badRequest("'after' must be a job_id from a previous page");
        }
        List<Job> page = store.list(new JobQuery(filter(scope, status, type, correlationId, createdAfter,
                createdBefore), afterId, limit.value()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobs", page.stream().map(views::summary).toList());
        body.put("next_after", page.size() == limit.value() ? page.get(page.size() - 1).jobId() : null);
        return body;
    }

    /**
     * GET /jobs/stats?window=&type=: the tenant's counts, success rate and latencies over a window ending now. A
     * literal path, which Spring prefers to the /{job_id} template: 'stats' is never taken for a job id.
     */
    @GetMapping("/stats")
    Map<String, Object> stats(RequestScope scope, @RequestParam(required = false) String window,
                              @RequestParam(required = false) String type) {
        StatsWindow parsed;
        try {
            parsed = StatsWindow.parse(text(window));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
        return stats.of(scope.tenantId(), parsed, text(type), Instant.now());
    }

    /** GET /jobs/{job_id}/events: the job's lifecycle events in order, each attempt's under its execution id. */
    @GetMapping("/{job_id}/events")
    Map<String, Object> events(RequestScope scope, @PathVariable("job_id") String jobId) {
        Job job = find(scope, jobId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("job_id", job.jobId());
        body.put("events", events.of(job.jobId()));
        return body;
    }

    /** GET /jobs/{job_id}/report: the CSV of a validation's bad rows, streamed from disk. */
    @GetMapping("/{job_id}/report")
    ResponseEntity<Resource> report(RequestScope scope, @PathVariable("job_id") String jobId) {
        Job job = find(scope, jobId);
        Path report = properties.reportsDir().resolve(job.jobId() + "-errors.csv");
        if (job.resultUrl() == null || !Files.isRegularFile(report)) {
            throw ProblemException.notFound(job.jobId() + " has no report");
        }
        // a download, never a page: the browser saves it and does not guess another type for it
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType("text/csv; charset=utf-8"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + job.jobId() + "-errors.csv\"")
                .header("X-Content-Type-Options", "nosniff")
                .body(new FileSystemResource(report));
    }

    /** POST /jobs/{job_id}/cancel: a waiting job never runs; a running one stops at its next checkpoint. */
    @PostMapping("/{job_id}/cancel")
    ResponseEntity<Map<String, Object>> cancel(RequestScope scope, @PathVariable("job_id") String jobId) {
        Job job = find(scope, jobId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("job_id", job.jobId());
        Optional<Job> cancelled = lifecycle.cancelWaiting(job.jobId());
        if (cancelled.isPresent()) {
            body.put("status", cancelled.get().status().name());
        } else if (store.requestCancel(job.jobId())) {
            body.put("status", "RUNNING");
            body.put("cancel_requested", true);
        } else {
            throw conflict(job.jobId(), "cancelled", store.find(job.jobId()).orElse(job));
        }
        return ResponseEntity.accepted().body(body);
    }

    /** POST /jobs/{job_id}/retry: a FAILED or DEAD_LETTERED job back to QUEUED, its attempts counted afresh. */
    @PostMapping("/{job_id}/retry")
    ResponseEntity<Map<String, Object>> retry(RequestScope scope, @PathVariable("job_id") String jobId) {
        Job job = find(scope, jobId);
        Job queued = lifecycle.requeue(job.jobId()).orElseThrow(() -> retryRefused(job));
        dispatchSignal.wake();
        return ResponseEntity.accepted().body(views.accepted(queued));
    }

    /**
     * Why a retry of {@code job} changed nothing: it is not FAILED or DEAD_LETTERED, or it is, and another active
     * job holds its while_active unique key (JobStore.requeue leaves it then: two active jobs of one key).
     */
    static ProblemException retryRefused(Job job) {
        if (JobTransition.REQUEUE.sources().contains(job.status())) {
            return new ProblemException(409, "Conflict", job.jobId() + " is " + job.status() + " but another active "
                    + "job holds its unique key; retry it once that job has finished");
        }
        return conflict(job.jobId(), "retried", job);
    }

    static ProblemException conflict(String jobId, String what, Job job) {
        return new ProblemException(409, "Conflict", jobId + " is " + job.status() + " and cannot be " + what
                + " now");
    }

    /** A value the caller sent, trimmed; null when blank or not sent. */
    static String text(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private Job find(RequestScope scope, String jobId) {
        if (!JobIds.isWellFormed(jobId)) {
            throw ProblemException.notFound("no job " + Echo.of(jobId));
        }
        return store.find(scope.tenantId(), jobId).orElseThrow(() -> ProblemException.notFound("no job " + jobId));
    }

    private ResponseEntity<Map<String, Object>> accepted(Submission submission) {
        Job job = submission.job();
        ResponseEntity.BodyBuilder response = ResponseEntity.accepted().location(URI.create("/jobs/" + job.jobId()));
        if (!submission.created()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response.body(views.accepted(job));
    }

    /** The filters GET /jobs, POST /jobs/retry and POST /jobs/cancel share, for the caller's tenant. */
    static JobFilter filter(RequestScope scope, String status, String type, String correlationId,
                            OffsetDateTime createdAfter, OffsetDateTime createdBefore) {
        return new JobFilter(scope.tenantId(), status(status), text(type), text(correlationId),
                createdAfter == null ? null : createdAfter.toInstant(),
                createdBefore == null ? null : createdBefore.toInstant());
    }

    private static JobStatus status(String value) {
        String status = text(value);
        if (status == null) {
            return null;
        }
        try {
            return JobStatus.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("unknown status '" + Echo.of(status) + "'; one of "
                    + List.of(JobStatus.values()));
        }
    }

    private static String required(String name, String value) {
        String text = text(value);
        if (text == null) {
            throw ProblemException.unprocessable("query parameter '" + name + "' is required");
        }
        return text;
    }
}
