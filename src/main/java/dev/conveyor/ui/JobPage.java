package dev.conveyor.ui;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobStatus;
import dev.conveyor.job.JobStore;
import dev.conveyor.queue.DispatchSignal;
import dev.conveyor.security.Caller;
import dev.conveyor.security.Role;
import dev.conveyor.telemetry.EventHistory;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * GET /ui/jobs/{id}: one job of the caller's tenant — its state (polled every 2 s while it can still change, so the
 * progress bar moves), payload, result, errors, its events as a timeline, its parent and children, its report.
 * POST …/retry and …/cancel do what POST /jobs/{id}/retry and /cancel do; the security chain lets only operators
 * post, and the page shows the buttons only to them.
 */
@Controller
class JobPage {

    private final JobStore store;
    private final EventHistory events;
    private final JobLifecycle lifecycle;
    private final DispatchSignal dispatchSignal;
    private final ConveyorProperties properties;
    private final ObjectMapper json;

    JobPage(JobStore store, EventHistory events, JobLifecycle lifecycle, DispatchSignal dispatchSignal,
            ConveyorProperties properties, ObjectMapper json) {
        this.store = store;
        this.events = events;
        this.lifecycle = lifecycle;
        this.dispatchSignal = dispatchSignal;
        this.properties = properties;
        this.json = json;
    }

    @GetMapping("/ui/jobs/{jobId}")
    String job(@PathVariable String jobId, Model model, HttpServletResponse response) {
        Optional<Job> found = find(jobId);
        if (found.isEmpty()) {
            return notFound(jobId, model, response);
        }
        Job job = found.get();
        state(job, model);
        model.addAttribute("title", job.jobId());
        model.addAttribute("payload", pretty(job.payloadJson()));
        model.addAttribute("result", pretty(job.resultJson()));
        model.addAttribute("errors", pretty(job.errorsJson()));
        model.addAttribute("errorMessage", job.errorMessage());
        model.addAttribute("idempotencyKey", job.idempotencyKey());
        model.addAttribute("parentJobId", job.parentJobId());
        model.addAttribute("children", store.childrenOf(job.jobId()));
        model.addAttribute("report", job.resultUrl() != null && Files.isRegularFile(report(job)));
        model.addAttribute("events", events.of(job.jobId()).stream().map(JobPage::event).toList());
        return "ui/job";
    }

    /** The part of the job page that changes while the job runs, polled by htmx until the job is final. */
    @GetMapping("/ui/jobs/{jobId}/live")
    String live(@PathVariable String jobId, Model model, HttpServletResponse response) {
        Optional<Job> found = find(jobId);
        if (found.isEmpty()) {
            return notFound(jobId, model, response);
        }
        state(found.get(), model);
        return "ui/job-state";
    }

    /** The validation's bad rows, as GET /jobs/{id}/report serves them: an attachment, never a page. */
    @GetMapping("/ui/jobs/{jobId}/report")
    ResponseEntity<Resource> report(@PathVariable String jobId) {
        Optional<Job> job = find(jobId).filter(j -> j.resultUrl() != null && Files.isRegularFile(report(j)));
        if (job.isEmpty()) {
            return ResponseEntity.notFound().build();
        }
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType("text/csv; charset=utf-8"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + jobId + "-errors.csv\"")
                .header("X-Content-Type-Options", "nosniff")
                .body(new FileSystemResource(report(job.get())));
    }

    @PostMapping("/ui/jobs/{jobId}/retry")
    String retry(@PathVariable String jobId, RedirectAttributes flash) {
        Optional<Job> job = find(jobId);
        if (job.isEmpty()) {
            return "redirect:/ui/jobs/" + jobId;
        }
        Optional<Job> queued = lifecycle.requeue(job.get().jobId());
        queued.ifPresent(q -> dispatchSignal.wake());
        flash.addFlashAttribute("flash", queued.isPresent() ? "Queued again: the job will run with fresh attempts."
                : "Not retried: the job is " + job.get().status() + "; only a failed or dead-lettered job can be.");
        return "redirect:/ui/jobs/" + job.get().jobId();
    }

    @PostMapping("/ui/jobs/{jobId}/cancel")
    String cancel(@PathVariable String jobId, RedirectAttributes flash) {
        Optional<Job> job = find(jobId);
        if (job.isEmpty()) {
            return "redirect:/ui/jobs/" + jobId;
        }
        String message;
        if (lifecycle.cancelWaiting(job.get().jobId()).isPresent()) {
            message = "Cancelled: the job will not run.";
        } else if (store.requestCancel(job.get().jobId())) {
            message = "Cancel requested: the running job stops at its next checkpoint.";
        } else {
            message = "Not cancelled: the job is " + store.find(job.get().jobId()).map(Job::status).orElse(
                    job.get().status()) + " already.";
        }
        flash.addFlashAttribute("flash", message);
        return "redirect:/ui/jobs/" + job.get().jobId();
    }

    /** The caller's tenant's job; an admin's, any tenant's (as the API's X-Tenant-Id lets an admin key name any). */
    private Optional<Job> find(String jobId) {
        Caller caller = DashboardModel.requireCaller();
        if (!JobIds.isWellFormed(jobId)) {
            return Optional.empty();
        }
        return caller.may(Role.ADMIN) ? store.find(jobId) : store.find(caller.tenantId(), jobId);
    }

    private Path report(Job job) {
        return reportOf(properties, job);
    }

    /** Where a validation job's invalid rows are, as GET /jobs/{id}/report serves them. */
    static Path reportOf(ConveyorProperties properties, Job job) {
        return properties.reportsDir().resolve(job.jobId() + "-errors.csv");
    }

    /** Whether the job has a report of invalid rows to download. */
    static boolean hasReport(ConveyorProperties properties, Job job) {
        return job.resultUrl() != null && Files.isRegularFile(reportOf(properties, job));
    }

    private static void state(Job job, Model model) {
        JobStatus status = job.status();
        model.addAttribute("jobId", job.jobId());
        model.addAttribute("type", job.type());
        model.addAttribute("status", status.name());
        model.addAttribute("colour", StatusColours.of(status.name()));
        model.addAttribute("progress", job.progress());
        model.addAttribute("running", status == JobStatus.RUNNING);
        model.addAttribute("changing", !status.isTerminal());
        model.addAttribute("attempts", job.attempts());
        model.addAttribute("maxAttempts", job.maxAttempts());
        model.addAttribute("retryable", status == JobStatus.FAILED || status == JobStatus.DEAD_LETTERED);
        model.addAttribute("cancellable", !status.isTerminal());
        model.addAttribute("createdAt", job.createdAt());
        model.addAttribute("startedAt", job.startedAt());
        model.addAttribute("completedAt", job.completedAt());
        model.addAttribute("cancelRequested", job.cancelRequested());
    }

    private static Map<String, Object> event(JsonNode event) {
        Map<String, Object> view = new LinkedHashMap<>();
        String type = event.path("event_type").asText();
        view.put("type", type);
        view.put("colour", StatusColours.of(switch (type) {
            case "job.completed" -> "SUCCESS";
            case "job.failed" -> "FAILED";
            case "job.dead_lettered" -> "DEAD_LETTERED";
            case "job.cancelled" -> "CANCELLED";
            case "job.started", "job.progress" -> "RUNNING";
            case "job.retrying" -> "RETRYING";
            default -> "QUEUED";
        }));
        view.put("timestamp", event.path("timestamp").asText());
        view.put("execution", event.path("job_execution_id").asText(""));
        view.put("detail", detail(event));
        return view;
    }

    /** What an event adds to the envelope (its status, progress, error...), one "name: value" per field. */
    private static String detail(JsonNode event) {
        List<String> envelope = List.of("event_id", "event_type", "version", "job_id", "job_execution_id", "task",
                "timestamp", "tenant_id", "marketplace", "category", "region", "partition_key", "correlation_id",
                "parent_job_id");
        StringBuilder detail = new StringBuilder();
        event.fields().forEachRemaining(field -> {
            if (!envelope.contains(field.getKey()) && !field.getValue().isNull()
                    && !(field.getValue().isContainerNode() && field.getValue().isEmpty())) {
                if (!detail.isEmpty()) {
                    detail.append(" · ");
                }
                detail.append(field.getKey()).append(": ")
                        .append(field.getValue().isTextual() ? field.getValue().asText() : field.getValue().toString());
            }
        });
        return detail.toString();
    }

    private String pretty(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(json.readTree(text));
        } catch (JsonProcessingException e) {
            return text;
        }
    }

    static String notFound(String what, Model model, HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_NOT_FOUND);
        model.addAttribute("title", "Not found");
        model.addAttribute("what", what);
        return "ui/not-found";
    }
}
