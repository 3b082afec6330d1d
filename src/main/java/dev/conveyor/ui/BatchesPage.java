package dev.conveyor.ui;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.intake.BatchProgress;
import dev.conveyor.intake.BatchesController;
import dev.conveyor.intake.InvalidRowsReplay;
import dev.conveyor.intake.ProblemException;
import dev.conveyor.job.Batch;
import dev.conveyor.job.BatchIds;
import dev.conveyor.job.BatchQuery;
import dev.conveyor.job.BatchStatus;
import dev.conveyor.job.BatchStore;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobStore;
import dev.conveyor.security.Caller;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * GET /ui/batches: the tenant's batches (dropped files, uploads, bulk imports, POST /jobs/batch requests), newest
 * first, filtered by status and source and paged by keyset as GET /batches is; GET /ui/batches/{id}: one, with its
 * progress, its row counts and their reconciliation, its jobs and the download of its invalid rows (the validation
 * job's report), and for operators a form to replay the corrected invalid rows. Read from {@link BatchStore} and
 * {@link JobStore}, as GET /batches/{id} is (docs/batches.md).
 */
@Controller
class BatchesPage {

    private static final Logger log = LoggerFactory.getLogger(BatchesPage.class);

    static final int PAGE = 50;

    private final BatchStore batches;
    private final JobStore jobs;
    private final ConveyorProperties properties;
    private final ObjectMapper json;
    private final InvalidRowsReplay replays;

    BatchesPage(BatchStore batches, JobStore jobs, ConveyorProperties properties, ObjectMapper json,
                InvalidRowsReplay replays) {
        this.batches = batches;
        this.jobs = jobs;
        this.properties = properties;
        this.json = json;
        this.replays = replays;
    }

    @GetMapping("/ui/batches")
    String list(@RequestParam(required = false) String status, @RequestParam(required = false) String source,
                @RequestParam(required = false) String after, Model model) {
        Caller caller = DashboardModel.requireCaller();
        BatchStatus statusFilter = Arrays.stream(BatchStatus.values()).filter(s -> s.name().equals(
                JobsPage.text(status))).findFirst().orElse(null);
        String sourceFilter = JobsPage.text(source) != null && BatchesController.SOURCES.contains(source.trim())
                ? source.trim() : null;
        String afterId = JobsPage.text(after) != null && BatchIds.isWellFormed(after.trim()) ? after.trim() : null;
        List<Batch> page = batches.list(new BatchQuery(caller.tenantId(), statusFilter, sourceFilter, afterId, PAGE));

        model.addAttribute("title", "Batches");
        model.addAttribute("batches", page.stream().map(BatchesPage::row).toList());
        model.addAttribute("empty", page.isEmpty());
        model.addAttribute("statuses", Arrays.stream(BatchStatus.values()).map(s -> Map.of("name", s.name(),
                "selected", s == statusFilter)).toList());
        model.addAttribute("sources", BatchesController.SOURCES.stream().map(s -> Map.of("name", s,
                "selected", s.equals(sourceFilter))).toList());
        model.addAttribute("filtered", statusFilter != null || sourceFilter != null);
        if (page.size() == PAGE) {
            model.addAttribute("next", BatchLinks.list(statusFilter, sourceFilter, page.get(page.size() - 1)
                    .batchId()));
        }
        return "ui/batches";
    }

    @GetMapping("/ui/batches/{batchId}")
    String batch(@PathVariable String batchId, Model model, HttpServletResponse response) {
        Caller caller = DashboardModel.requireCaller();
        Optional<Batch> found = BatchIds.isWellFormed(batchId) ? batches.find(caller.tenantId(), batchId)
                : Optional.empty();
        if (found.isEmpty()) {
            return JobPage.notFound("batch " + batchId, model, response);
        }
        Batch batch = found.get();
        List<Job> ofBatch = jobs.ofBatch(batch.batchId());
        Map<String, Long> byStatus = new TreeMap<>();
        ofBatch.forEach(job -> byStatus.merge(job.status().name(), 1L, Long::sum));

        model.addAttribute("title", batch.batchId());
        model.addAllAttributes(row(batch));
        model.addAttribute("progress", BatchProgress.of(batch, ofBatch, json));
        model.addAttribute("open", !batch.status().isFinal());
        model.addAttribute("sha256", batch.sha256());
        model.addAttribute("reconciliation", batch.reconciliation());
        model.addAttribute("cancelRequested", batch.cancelRequested());
        model.addAttribute("jobsTotal", ofBatch.size());
        model.addAttribute("jobsByStatus", byStatus.entrySet().stream().map(e -> Map.of("status", e.getKey(),
                "count", e.getValue(), "colour", StatusColours.of(e.getKey()))).toList());
        model.addAttribute("jobs", ofBatch.stream().map(this::jobRow).toList());
        model.addAttribute("reports", ofBatch.stream().filter(job -> JobPage.hasReport(properties, job))
                .map(Job::jobId).toList());
        // the service decides for good (409 when it cannot); this only spares a form that could not work
        Long invalid = batch.rows().invalid();
        model.addAttribute("replayable", batch.status().isFinal() && batch.status() != BatchStatus.CANCELLED
                && invalid != null && invalid > 0);
        return "ui/batch";
    }

    /**
     * POST /ui/batches/{id}/replay-invalid (operators; the UI chain checks the role and the CSRF token, sent in its
     * header): what POST /batches/{id}/replay-invalid does, through {@link InvalidRowsReplay}, the body the CSV itself
     * as the API takes it. Answers the page a sentence to show: what was started, or why nothing was.
     */
    @PostMapping(path = "/ui/batches/{batchId}/replay-invalid", produces = MediaType.TEXT_PLAIN_VALUE)
    @ResponseBody
    ResponseEntity<String> replayInvalid(@PathVariable String batchId, InputStream corrected) {
        Caller caller = DashboardModel.requireCaller();
        try {
            if (!BatchIds.isWellFormed(batchId)) {
                throw ProblemException.notFound("no batch " + batchId);
            }
            InvalidRowsReplay.Replay replay = replays.replay(caller.tenantId(), batchId, corrected, caller.keyId());
            log.info("dashboard replay of {} corrected rows into batch {} by key {}: job {}", replay.rows(),
                    batchId, caller.keyId(), replay.jobId());
            return ResponseEntity.accepted().body("Replaying " + replay.rows() + " corrected row(s) as job "
                    + replay.jobId() + ": the batch runs again and closes when they are validated and loaded. "
                    + "Reload the page to follow it.");
        } catch (ProblemException refused) {
            return ResponseEntity.status(refused.status()).body("Not replayed: " + refused.getMessage()
                    + (refused.errors().isEmpty() ? "" : " " + String.join("; ", refused.errors())));
        } catch (IOException unreadable) {
            return ResponseEntity.badRequest().body("Not replayed: the file could not be read ("
                    + unreadable.getMessage() + "); send it again.");
        }
    }

    private Map<String, Object> jobRow(Job job) {
        Map<String, Object> row = JobsPage.row(job);
        row.put("report", JobPage.hasReport(properties, job));
        return row;
    }

    static Map<String, Object> row(Batch batch) {
        Map<String, Object> row = new LinkedHashMap<>();
        Batch.RowCounts rows = batch.rows();
        row.put("batchId", batch.batchId());
        row.put("source", batch.source());
        row.put("sourceRef", batch.sourceRef());
        row.put("status", batch.status().name());
        row.put("colour", StatusColours.of(batch.status().name()));
        row.put("rowsTotal", count(rows.total()));
        row.put("rowsValid", count(rows.valid()));
        row.put("rowsInvalid", count(rows.invalid()));
        row.put("rowsLoaded", count(rows.loaded()));
        row.put("rowsUnchanged", count(rows.unchanged()));
        row.put("createdAt", batch.createdAt());
        row.put("completedAt", batch.completedAt());
        return row;
    }

    /** A count no job of the batch made (or not yet: the counts come when the batch closes) shows as a dash. */
    private static String count(Long value) {
        return value == null ? "–" : value.toString();
    }
}
