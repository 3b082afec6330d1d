package dev.conveyor.ui;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobFilter;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobQuery;
import dev.conveyor.job.JobStatus;
import dev.conveyor.job.JobStore;
import dev.conveyor.security.Caller;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * GET /ui/jobs: the caller's tenant's jobs, newest first, filtered by status, type and correlation id and paged by
 * keyset (the last job id of a page, as GET /jobs's {@code after}); and a search box that goes straight to the job
 * a job id or an idempotency key names.
 */
@Controller
class JobsPage {

    static final int PAGE = 50;

    private final JobStore store;

    JobsPage(JobStore store) {
        this.store = store;
    }

    @GetMapping("/ui/jobs")
    String jobs(@RequestParam(required = false) String status, @RequestParam(required = false) String type,
                @RequestParam(name = "correlation_id", required = false) String correlationId,
                @RequestParam(required = false) String after, @RequestParam(required = false) String q,
                Model model) {
        Caller caller = DashboardModel.requireCaller();
        String search = text(q);
        if (search != null) {
            Optional<Job> found = find(caller, search);
            if (found.isPresent()) {
                return "redirect:/ui/jobs/" + found.get().jobId();
            }
            model.addAttribute("notFound", search);
        }
        JobStatus statusFilter = Arrays.stream(JobStatus.values()).filter(s -> s.name().equals(text(status)))
                .findFirst().orElse(null);
        String afterId = text(after) != null && JobIds.isWellFormed(after.trim()) ? after.trim() : null;
        List<Job> page = store.list(new JobQuery(new JobFilter(caller.tenantId(), statusFilter, text(type),
                text(correlationId), null, null), afterId, PAGE));

        model.addAttribute("title", "Jobs");
        model.addAttribute("jobs", page.stream().map(JobsPage::row).toList());
        model.addAttribute("empty", page.isEmpty());
        model.addAttribute("statuses", Arrays.stream(JobStatus.values()).map(s -> Map.of("name", s.name(),
                "selected", s == statusFilter)).toList());
        model.addAttribute("type", text(type));
        model.addAttribute("correlationId", text(correlationId));
        model.addAttribute("q", search);
        model.addAttribute("filtered", statusFilter != null || text(type) != null || text(correlationId) != null);
        if (page.size() == PAGE) {
            model.addAttribute("next", JobLinks.list(statusFilter, text(type), text(correlationId),
                    page.get(page.size() - 1).jobId()));
        }
        return "ui/jobs";
    }

    private Optional<Job> find(Caller caller, String search) {
        if (JobIds.isWellFormed(search)) {
            Optional<Job> byId = store.find(caller.tenantId(), search);
            if (byId.isPresent()) {
                return byId;
            }
        }
        return Optional.ofNullable(store.findByIdempotencyKeys(caller.tenantId(), List.of(search)).get(search));
    }

    static Map<String, Object> row(Job job) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("jobId", job.jobId());
        row.put("type", job.type());
        row.put("status", job.status().name());
        row.put("colour", StatusColours.of(job.status().name()));
        row.put("progress", job.progress());
        row.put("source", job.source());
        row.put("correlationId", job.correlationId());
        row.put("createdAt", job.createdAt());
        row.put("completedAt", job.completedAt());
        return row;
    }

    static String text(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
