package dev.conveyor.ui;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
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
import dev.conveyor.security.ApiKeys;
import dev.conveyor.security.Caller;
import dev.conveyor.security.Role;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * GET /ui/jobs: the caller's tenant's jobs, newest first, filtered by status, type, correlation id and creation time
 * (from inclusive, to exclusive, in UTC) and paged by keyset (the last job id of a page, as GET /jobs's
 * {@code after}); an admin may name another tenant, as the API's X-Tenant-Id lets an admin key. A search box goes
 * straight to the job a job id or an idempotency key names.
 */
@Controller
class JobsPage {

    static final int PAGE = 50;

    private final JobStore store;

    JobsPage(JobStore store) {
        this.store = store;
    }

    /** The list's filters as the form sent them (null: any), kept for the next page's link. */
    record Filters(JobStatus status, String type, String correlationId, String from, String to, String tenant) {

        boolean any() {
            return status != null || type != null || correlationId != null || from != null || to != null
                    || tenant != null;
        }
    }

    @GetMapping("/ui/jobs")
    String jobs(@RequestParam(required = false) String status, @RequestParam(required = false) String type,
                @RequestParam(name = "correlation_id", required = false) String correlationId,
                @RequestParam(required = false) String from, @RequestParam(required = false) String to,
                @RequestParam(required = false) String tenant,
                @RequestParam(required = false) String after, @RequestParam(required = false) String q,
                Model model) {
        Caller caller = DashboardModel.requireCaller();
        List<String> problems = new ArrayList<>();
        String tenantId = tenant(caller, text(tenant), problems);
        String search = text(q);
        if (search != null) {
            Optional<Job> found = find(tenantId, search);
            if (found.isPresent()) {
                return "redirect:/ui/jobs/" + found.get().jobId();
            }
            model.addAttribute("notFound", search);
        }
        JobStatus statusFilter = Arrays.stream(JobStatus.values()).filter(s -> s.name().equals(text(status)))
                .findFirst().orElse(null);
        Instant createdFrom = instant("From", text(from), problems);
        Instant createdTo = instant("To", text(to), problems);
        Filters filters = new Filters(statusFilter, text(type), text(correlationId),
                createdFrom == null ? null : text(from), createdTo == null ? null : text(to),
                tenantId.equals(caller.tenantId()) ? null : tenantId);
        String afterId = text(after) != null && JobIds.isWellFormed(after.trim()) ? after.trim() : null;
        List<Job> page = store.list(new JobQuery(new JobFilter(tenantId, statusFilter, text(type),
                text(correlationId), createdFrom, createdTo), afterId, PAGE));

        model.addAttribute("title", "Jobs");
        model.addAttribute("jobs", page.stream().map(JobsPage::row).toList());
        model.addAttribute("empty", page.isEmpty());
        model.addAttribute("statuses", Arrays.stream(JobStatus.values()).map(s -> Map.of("name", s.name(),
                "selected", s == statusFilter)).toList());
        model.addAttribute("type", text(type));
        model.addAttribute("correlationId", text(correlationId));
        model.addAttribute("from", text(from));
        model.addAttribute("to", text(to));
        model.addAttribute("tenant", tenantId);
        model.addAttribute("problems", problems);
        model.addAttribute("q", search);
        model.addAttribute("filtered", filters.any());
        if (page.size() == PAGE) {
            model.addAttribute("next", JobLinks.list(filters, page.get(page.size() - 1).jobId()));
        }
        return "ui/jobs";
    }

    /** The caller's tenant, or for an admin the one they named; a non-admin's naming of another is refused. */
    private static String tenant(Caller caller, String asked, List<String> problems) {
        if (asked == null || asked.equals(caller.tenantId())) {
            return caller.tenantId();
        }
        if (!caller.may(Role.ADMIN)) {
            problems.add("Only an admin key may look at another tenant's jobs; these are tenant "
                    + caller.tenantId() + "'s.");
            return caller.tenantId();
        }
        if (!ApiKeys.isTenantId(asked)) {
            problems.add("A tenant is 1-64 letters, digits, '_', '.' or '-'; these are tenant " + caller.tenantId()
                    + "'s.");
            return caller.tenantId();
        }
        return asked;
    }

    /**
     * A time of the filter: what a {@code datetime-local} field sends ({@code 2026-11-30T14:05}, read as UTC) or an
     * ISO-8601 date-time with an offset. One that is neither is left out of the filter, and the page says so.
     */
    static Instant instant(String field, String value, List<String> problems) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            try {
                return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException neither) {
                problems.add(field + " is not a date and time (2026-11-30T14:05, UTC, or with an offset); it was"
                        + " left out of the filter.");
                return null;
            }
        }
    }

    private Optional<Job> find(String tenantId, String search) {
        if (JobIds.isWellFormed(search)) {
            Optional<Job> byId = store.find(tenantId, search);
            if (byId.isPresent()) {
                return byId;
            }
        }
        return Optional.ofNullable(store.findByIdempotencyKeys(tenantId, List.of(search)).get(search));
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
