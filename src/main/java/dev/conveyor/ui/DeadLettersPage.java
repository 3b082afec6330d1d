package dev.conveyor.ui;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.intake.BulkActions;
import dev.conveyor.job.DeadLetterStore;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobStatus;
import dev.conveyor.queue.DispatchSignal;
import dev.conveyor.security.Caller;
import dev.conveyor.security.Role;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * GET /ui/dead-letters: the tenant's dead letters, newest first, by type and by a text of their last error;
 * GET /ui/dead-letters/{id}: one, with the error of each attempt (the last stack trace for admins only, as on the
 * API); POST …/replay (operators) does what POST /dead-letters/{id}/replay does: the job back to QUEUED with fresh
 * attempts; POST /ui/dead-letters/replay (operators) replays every still dead-lettered job the filter matches, with
 * {@link BulkActions} as POST /dead-letters/replay does.
 */
@Controller
class DeadLettersPage {

    private static final Logger log = LoggerFactory.getLogger(DeadLettersPage.class);

    static final int PAGE = 100;

    private final DeadLetterStore deadLetters;
    private final JobLifecycle lifecycle;
    private final DispatchSignal dispatchSignal;
    private final BulkActions bulk;
    private final ObjectMapper json;

    DeadLettersPage(DeadLetterStore deadLetters, JobLifecycle lifecycle, DispatchSignal dispatchSignal,
                    BulkActions bulk, ObjectMapper json) {
        this.deadLetters = deadLetters;
        this.bulk = bulk;
        this.lifecycle = lifecycle;
        this.dispatchSignal = dispatchSignal;
        this.json = json;
    }

    @GetMapping("/ui/dead-letters")
    String list(@RequestParam(required = false) String type, @RequestParam(required = false) String error,
                Model model) {
        Caller caller = DashboardModel.requireCaller();
        List<Map<String, Object>> rows = deadLetters.list(caller.tenantId(), JobsPage.text(type),
                JobsPage.text(error), null, null, PAGE, false);
        model.addAttribute("title", "Dead letters");
        model.addAttribute("type", JobsPage.text(type));
        model.addAttribute("error", JobsPage.text(error));
        // the replay-all button only when the filter shows a job it would replay
        model.addAttribute("anyWaiting", rows.stream().anyMatch(row -> JobStatus.DEAD_LETTERED.name()
                .equals(row.get("status"))));
        model.addAttribute("deadLetters", rows.stream().map(DeadLettersPage::row).toList());
        model.addAttribute("empty", rows.isEmpty());
        return "ui/dead-letters";
    }

    @GetMapping("/ui/dead-letters/{id}")
    String deadLetter(@PathVariable String id, Model model, HttpServletResponse response) {
        Caller caller = DashboardModel.requireCaller();
        Optional<Map<String, Object>> found = find(caller, id);
        if (found.isEmpty()) {
            return JobPage.notFound("dead letter " + id, model, response);
        }
        Map<String, Object> deadLetter = found.get();
        model.addAttribute("title", "Dead letter " + id);
        model.addAllAttributes(row(deadLetter));
        model.addAttribute("attemptErrors", attempts((String) deadLetter.get("errors")));
        model.addAttribute("stackTrace", deadLetter.get("last_stack_trace"));
        return "ui/dead-letter";
    }

    /**
     * Every job of the tenant still DEAD_LETTERED whose dead letter matches the type and error text (both empty:
     * all of them), back to QUEUED with fresh attempts; the list shows how many.
     */
    @PostMapping("/ui/dead-letters/replay")
    String replayAll(@RequestParam(required = false) String type, @RequestParam(required = false) String error,
                     RedirectAttributes flash) {
        Caller caller = DashboardModel.requireCaller();
        String byType = JobsPage.text(type);
        String byError = JobsPage.text(error);
        int replayed = bulk.replayDeadLetters(caller.tenantId(), byType, byError, null, null);
        log.info("dashboard dead-letter replay by key {} for tenant {} (type={} error~{}): {} jobs requeued",
                caller.keyId(), caller.tenantId(), byType, byError, replayed);
        flash.addFlashAttribute("flash", "Replayed " + replayed + " dead-lettered job(s)"
                + (byType == null && byError == null ? "" : " matching the filter")
                + ": queued again with fresh attempts.");
        flash.addAttribute("type", byType == null ? "" : byType);
        flash.addAttribute("error", byError == null ? "" : byError);
        return "redirect:/ui/dead-letters";
    }

    @PostMapping("/ui/dead-letters/{id}/replay")
    String replay(@PathVariable String id, RedirectAttributes flash) {
        Caller caller = DashboardModel.requireCaller();
        Optional<Map<String, Object>> found = find(caller, id);
        if (found.isEmpty()) {
            return "redirect:/ui/dead-letters";
        }
        long deadLetterId = ((Number) found.get().get("id")).longValue();
        String jobId = (String) found.get().get("job_id");
        Optional<Job> queued = lifecycle.requeue(jobId);
        if (queued.isPresent()) {
            deadLetters.markReplayed(deadLetterId);
            dispatchSignal.wake();
            flash.addFlashAttribute("flash", "Replayed: job " + jobId + " is queued again with fresh attempts.");
        } else {
            flash.addFlashAttribute("flash", "Not replayed: job " + jobId + " is " + found.get().get("status")
                    + "; only a dead-lettered or failed job can be.");
        }
        return "redirect:/ui/dead-letters/" + deadLetterId;
    }

    private Optional<Map<String, Object>> find(Caller caller, String id) {
        long parsed;
        try {
            parsed = Long.parseLong(id);
        } catch (NumberFormatException notAnId) {
            return Optional.empty();
        }
        return deadLetters.find(caller.tenantId(), parsed, caller.may(Role.ADMIN));
    }

    private static Map<String, Object> row(Map<String, Object> deadLetter) {
        Map<String, Object> row = new LinkedHashMap<>();
        String status = String.valueOf(deadLetter.get("status"));
        row.put("id", deadLetter.get("id"));
        row.put("jobId", deadLetter.get("job_id"));
        row.put("type", deadLetter.get("type"));
        row.put("attempts", deadLetter.get("attempts"));
        row.put("lastError", deadLetter.get("last_error"));
        row.put("createdAt", deadLetter.get("created_at"));
        row.put("replayCount", deadLetter.get("replay_count"));
        row.put("replayedAt", deadLetter.get("replayed_at"));
        row.put("status", status);
        row.put("colour", StatusColours.of(status));
        row.put("replayable", JobStatus.DEAD_LETTERED.name().equals(status) || JobStatus.FAILED.name().equals(status));
        return row;
    }

    /** The error of each attempt, as the dead letter recorded them: attempt, when, exception, message. */
    private List<Map<String, Object>> attempts(String errors) {
        List<Map<String, Object>> attempts = new ArrayList<>();
        if (errors == null) {
            return attempts;
        }
        try {
            for (JsonNode error : json.readTree(errors)) {
                Map<String, Object> attempt = new LinkedHashMap<>();
                attempt.put("attempt", error.path("attempt").asText());
                attempt.put("at", error.path("at").asText());
                attempt.put("exception", error.path("exception").asText());
                attempt.put("message", error.path("message").asText());
                attempts.add(attempt);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a dead letter's stored errors do not parse", e);
        }
        return attempts;
    }
}
