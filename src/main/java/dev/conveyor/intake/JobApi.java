package dev.conveyor.intake;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.time.Instant;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobQuery;
import dev.conveyor.job.JobStatus;
import dev.conveyor.job.JobStore;
import dev.conveyor.job.Submission;
import dev.conveyor.job.DeadLetterStore;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.queue.DispatchSignal;
import dev.conveyor.security.Role;
import dev.conveyor.telemetry.EventHistory;
import dev.conveyor.telemetry.JobStats;
import dev.conveyor.telemetry.StatsWindow;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * The HTTP API's glue, called by the routes in routes/api.camel.yaml: reads the request off the exchange,
 * hands it to intake or the job store, and writes the JSON answer. Refusals are thrown as
 * {@link ProblemException} and rendered by {@link ProblemResponder}.
 */
@Component("jobApi")
public class JobApi {

    /** What POST /jobs/csv takes; the body's first bytes decide whether it is read as CSV or .xlsx. */
    private static final Set<String> CSV_TYPES = Set.of("text/csv", "application/csv", "text/plain",
            "application/octet-stream", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_PAGE = 500;

    private final JobRequestParser parser;
    private final JobIntake intake;
    private final JobStore store;
    private final JobViews views;
    private final CsvUploads uploads;
    private final EventHistory events;
    private final JobLifecycle lifecycle;
    private final DeadLetterStore deadLetters;
    private final DispatchSignal dispatchSignal;
    private final JobStats stats;
    private final ObjectMapper json;
    private final ConveyorProperties properties;

    public JobApi(JobRequestParser parser, JobIntake intake, JobStore store, JobViews views, CsvUploads uploads,
                  EventHistory events, JobLifecycle lifecycle, DeadLetterStore deadLetters,
                  DispatchSignal dispatchSignal, JobStats stats, ObjectMapper json, ConveyorProperties properties) {
        this.parser = parser;
        this.intake = intake;
        this.store = store;
        this.views = views;
        this.uploads = uploads;
        this.events = events;
        this.lifecycle = lifecycle;
        this.deadLetters = deadLetters;
        this.dispatchSignal = dispatchSignal;
        this.stats = stats;
        this.json = json;
        this.properties = properties;
    }

    /** POST /jobs */
    public void submitJob(Exchange exchange) throws IOException {
        Message in = exchange.getMessage();
        RequestScope scope = RequestScope.of(exchange);
        String contentType = header(in, Exchange.CONTENT_TYPE);
        String mediaType = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
            throw new ProblemException(415, "Unsupported Media Type", "send the job as JSON with Content-Type: "
                    + "application/json (was " + (contentType == null ? "none" : "'" + Echo.of(contentType) + "'")
                    + ")");
        }
        byte[] body = RequestBodies.readBounded(in, properties.intake().maxJsonBytes(),
                "conveyor.intake.max-json-bytes");
        JobRequest request = parser.parse(scope.tenantId(), body, header(in, "Idempotency-Key"));
        respondAccepted(exchange, intake.submit(request.submittedBy(scope.caller().keyId())));
    }

    /** POST /jobs/csv?marketplace=&category=&region= with a text/csv body, streamed to a file. */
    public void submitCsv(Exchange exchange) throws IOException {
        Message in = exchange.getMessage();
        RequestScope scope = RequestScope.of(exchange);
        String tenant = scope.tenantId();
        String contentType = header(in, Exchange.CONTENT_TYPE);
        String mediaType = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!CSV_TYPES.contains(mediaType)) {
            throw new ProblemException(415, "Unsupported Media Type", "send the CSV as the request body with "
                    + "Content-Type: text/csv, or an .xlsx with Content-Type: "
                    + "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet (was '" + Echo.of(contentType)
                    + "')");
        }
        ObjectNode payload = json.createObjectNode();
        putParam(in, payload, "marketplace", true);
        putParam(in, payload, "category", true);
        putParam(in, payload, "region", false);
        Long length = in.getHeader(Exchange.CONTENT_LENGTH, Long.class);
        CsvUploads.Upload upload = uploads.store(tenant, in.getBody(InputStream.class), length == null ? -1 : length);
        payload.put("file", upload.relativePath());
        String idempotencyKey = header(in, "Idempotency-Key");
        Submission submission;
        try {
            submission = intake.submit(new JobRequest(tenant, "csv_upload", "csv_validation", payload,
                    header(in, "X-Priority"), null, header(in, "X-Correlation-Id"), null, idempotencyKey,
                    upload.sizeBytes()).submittedBy(scope.caller().keyId()));
        } catch (RuntimeException e) {
            uploads.discard(upload);
            throw e;
        }
        if (!submission.created()) {
            uploads.discard(upload);
        }
        respondAccepted(exchange, submission);
    }

    /** GET /jobs/{job_id} */
    public void getJob(Exchange exchange) {
        Job job = findJob(exchange);
        respond(exchange, 200, views.detail(job, store.childrenOf(job.jobId())));
    }

    /** GET /jobs?status=&type=&correlation_id=&limit=&after= */
    public void listJobs(Exchange exchange) {
        Message in = exchange.getMessage();
        JobStatus status = null;
        String statusParam = header(in, "status");
        if (statusParam != null) {
            try {
                status = JobStatus.valueOf(statusParam.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("unknown status '" + Echo.of(statusParam) + "'; one of "
                        + List.of(JobStatus.values()));
            }
        }
        int limit = DEFAULT_PAGE;
        String limitParam = header(in, "limit");
        if (limitParam != null) {
            try {
                limit = Integer.parseInt(limitParam);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_PAGE) {
                throw ProblemException.badRequest("'limit' must be an integer from 1 to " + MAX_PAGE);
            }
        }
        String after = header(in, "after");
        if (after != null && !JobIds.isWellFormed(after)) {
            throw ProblemException.badRequest("'after' must be a job_id from a previous page");
        }
        List<Job> page = store.list(new JobQuery(RequestScope.of(exchange).tenantId(), status, header(in, "type"),
                header(in, "correlation_id"), after, limit));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobs", page.stream().map(views::summary).toList());
        body.put("next_after", page.size() == limit ? page.get(page.size() - 1).jobId() : null);
        respond(exchange, 200, body);
    }

    /** GET /jobs/stats?window=&type=: the tenant's counts, success rate and latencies over a window ending now. */
    public void getStats(Exchange exchange) {
        Message in = exchange.getMessage();
        StatsWindow window;
        try {
            window = StatsWindow.parse(header(in, "window"));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
        respond(exchange, 200, stats.of(RequestScope.of(exchange).tenantId(), window, header(in, "type"), Instant.now()));
    }

    /** POST /jobs/{job_id}/cancel: a waiting job never runs; a running one stops at its next checkpoint. */
    public void cancelJob(Exchange exchange) {
        Job job = findJob(exchange);
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
        respond(exchange, 202, body);
    }

    /** POST /jobs/{job_id}/retry: a FAILED or DEAD_LETTERED job back to QUEUED, its attempts counted afresh. */
    public void retryJob(Exchange exchange) {
        Job job = findJob(exchange);
        Job queued = lifecycle.requeue(job.jobId()).orElseThrow(() -> conflict(job.jobId(), "retried", job));
        dispatchSignal.wake();
        respond(exchange, 202, views.accepted(queued));
    }

    /** GET /dead-letters?type=&since=&until=&limit= */
    public void listDeadLetters(Exchange exchange) {
        Message in = exchange.getMessage();
        RequestScope scope = RequestScope.of(exchange);
        Map<String, Object> body = new LinkedHashMap<>();
        // a stack trace shows the service's insides: for admins only, everyone else reads the error message
        body.put("dead_letters", deadLetters.list(scope.tenantId(), header(in, "type"), instant(in, "since"),
                instant(in, "until"), limit(in), scope.caller().may(Role.ADMIN)));
        respond(exchange, 200, body);
    }

    /** POST /dead-letters/{id}/replay: the job back to QUEUED; the replay is counted on the dead letter. */
    public void replayDeadLetter(Exchange exchange) {
        Message in = exchange.getMessage();
        long id;
        try {
            id = Long.parseLong(header(in, "id"));
        } catch (NumberFormatException | NullPointerException e) {
            throw ProblemException.notFound("no dead letter " + Echo.of(header(in, "id")));
        }
        String jobId = deadLetters.jobOf(RequestScope.of(exchange).tenantId(), id)
                .orElseThrow(() -> ProblemException.notFound("no dead letter " + id));
        Job queued = lifecycle.requeue(jobId).orElseThrow(() -> conflict(jobId, "replayed",
                store.find(jobId).orElseThrow()));
        deadLetters.markReplayed(id);
        dispatchSignal.wake();
        respond(exchange, 202, views.accepted(queued));
    }

    private static ProblemException conflict(String jobId, String what, Job job) {
        return new ProblemException(409, "Conflict", jobId + " is " + job.status() + " and cannot be " + what
                + " now");
    }

    private static Instant instant(Message in, String name) {
        String value = header(in, name);
        if (value == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw ProblemException.badRequest("'" + name + "' must be an ISO-8601 date-time with an offset");
        }
    }

    private static int limit(Message in) {
        String value = header(in, "limit");
        if (value == null) {
            return DEFAULT_PAGE;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_PAGE) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ProblemException.badRequest("'limit' must be an integer from 1 to " + MAX_PAGE);
    }

    /** GET /jobs/{job_id}/events: the job's lifecycle events in order, each attempt's under its execution id. */
    public void getEvents(Exchange exchange) {
        Job job = findJob(exchange);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("job_id", job.jobId());
        body.put("events", events.of(job.jobId()));
        respond(exchange, 200, body);
    }

    /** GET /jobs/{job_id}/report: the CSV of a validation's bad rows, streamed from disk. */
    public void getReport(Exchange exchange) throws IOException {
        Job job = findJob(exchange);
        Path report = properties.reportsDir().resolve(job.jobId() + "-errors.csv");
        if (job.resultUrl() == null || !Files.isRegularFile(report)) {
            throw ProblemException.notFound(job.jobId() + " has no report");
        }
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        out.setHeader(Exchange.CONTENT_TYPE, "text/csv; charset=utf-8");
        // a download, never a page: the browser saves it and does not guess another type for it
        out.setHeader("Content-Disposition", "attachment; filename=\"" + job.jobId() + "-errors.csv\"");
        out.setHeader("X-Content-Type-Options", "nosniff");
        out.setBody(Files.newInputStream(report));
    }

    private Job findJob(Exchange exchange) {
        String jobId = header(exchange.getMessage(), "job_id");
        if (!JobIds.isWellFormed(jobId)) {
            throw ProblemException.notFound("no job " + Echo.of(jobId));
        }
        return store.find(RequestScope.of(exchange).tenantId(), jobId)
                .orElseThrow(() -> ProblemException.notFound("no job " + jobId));
    }

    private void respondAccepted(Exchange exchange, Submission submission) {
        Job job = submission.job();
        respond(exchange, 202, views.accepted(job));
        exchange.getMessage().setHeader("Location", "/jobs/" + job.jobId());
        if (!submission.created()) {
            exchange.getMessage().setHeader("Idempotent-Replayed", "true");
        }
    }

    private void respond(Exchange exchange, int status, Object body) {
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(views.write(body));
    }

    private static void putParam(Message in, ObjectNode payload, String name, boolean required) {
        String value = header(in, name);
        if (value == null) {
            if (required) {
                throw ProblemException.unprocessable("query parameter '" + name + "' is required");
            }
            return;
        }
        payload.put(name, value);
    }

    private static String header(Message in, String name) {
        String value = in.getHeader(name, String.class);
        return value == null || value.isBlank() ? null : value.trim();
    }
}
