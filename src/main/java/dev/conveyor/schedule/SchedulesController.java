package dev.conveyor.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.intake.JobViews;
import dev.conveyor.intake.ProblemException;
import dev.conveyor.intake.RequestScope;
import dev.conveyor.job.Submission;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The schedules API (docs/schedules.md): a reader lists and reads, an operator puts, deletes, pauses, resumes and
 * triggers (security/SecurityConfig). Refusals are {@link ProblemException}s, answered as problem+json by
 * intake's ApiProblems like every other operation's.
 */
@RestController
@RequestMapping("/schedules")
public class SchedulesController {

    /** A schedule is a few fields and one job: far below a job body's own limit. */
    private static final int MAX_BODY_BYTES = 1_048_576;

    private final Schedules schedules;
    private final JobViews jobViews;
    private final ObjectMapper json;

    public SchedulesController(Schedules schedules, JobViews jobViews, ObjectMapper json) {
        this.schedules = schedules;
        this.jobViews = jobViews;
        this.json = json;
    }

    /** GET /schedules: the tenant's schedules, by name. */
    @GetMapping
    Map<String, Object> list(RequestScope scope) {
        return Map.of("schedules", schedules.list(scope.tenantId()).stream().map(SchedulesController::view).toList());
    }

    @GetMapping("/{name}")
    Map<String, Object> get(RequestScope scope, @PathVariable String name) {
        return view(schedules.get(scope.tenantId(), name));
    }

    /** PUT /schedules/{name}: creates (201) or replaces (200) the schedule. */
    @PutMapping(path = "/{name}", consumes = {MediaType.APPLICATION_JSON_VALUE, "application/*+json"})
    ResponseEntity<Map<String, Object>> put(RequestScope scope, @PathVariable String name, InputStream body)
            throws IOException {
        boolean created = schedules.put(scope.tenantId(), scope.caller(), name, read(body));
        Map<String, Object> view = view(schedules.get(scope.tenantId(), name));
        return created ? ResponseEntity.created(URI.create("/schedules/" + name)).body(view) : ResponseEntity.ok(view);
    }

    @DeleteMapping("/{name}")
    ResponseEntity<Void> delete(RequestScope scope, @PathVariable String name) {
        schedules.delete(scope.tenantId(), scope.caller(), name);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{name}/pause")
    Map<String, Object> pause(RequestScope scope, @PathVariable String name) {
        return view(schedules.pause(scope.tenantId(), scope.caller(), name));
    }

    @PostMapping("/{name}/resume")
    Map<String, Object> resume(RequestScope scope, @PathVariable String name) {
        return view(schedules.resume(scope.tenantId(), scope.caller(), name));
    }

    /** POST /schedules/{name}/trigger: one job now (202, as a submitted job). */
    @PostMapping("/{name}/trigger")
    ResponseEntity<Map<String, Object>> trigger(RequestScope scope, @PathVariable String name) {
        Submission submission = schedules.trigger(scope.tenantId(), scope.caller(), name);
        return ResponseEntity.accepted().location(URI.create("/jobs/" + submission.job().jobId()))
                .body(jobViews.accepted(submission.job()));
    }

    static Map<String, Object> view(Schedule schedule) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", schedule.name());
        view.put("cron", schedule.cron());
        view.put("zone", schedule.zone());
        view.put("misfire", schedule.misfire().wire());
        view.put("job", new RawJson(schedule.job()));
        view.put("paused", schedule.paused());
        // paused, it has no next tick: resuming picks the first after that moment
        view.put("next_run_at", schedule.paused() ? null : iso(schedule.nextRunAt()));
        view.put("last_run_at", iso(schedule.lastRunAt()));
        view.put("last_job_id", schedule.lastJobId());
        view.put("origin", schedule.origin());
        view.put("updated_at", iso(schedule.updatedAt()));
        return view;
    }

    private JsonNode read(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
            throw ProblemException.tooLarge("a schedule's body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        if (bytes.length == 0) {
            throw ProblemException.badRequest("the request body is empty; expected a JSON object");
        }
        try {
            return json.readTree(bytes);
        } catch (JacksonException e) {
            throw ProblemException.badRequest("malformed JSON: " + e.getOriginalMessage());
        }
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** The job as stored (jsonb text), written into the answer as JSON, not as a string. */
    record RawJson(@com.fasterxml.jackson.annotation.JsonRawValue @com.fasterxml.jackson.annotation.JsonValue String json) {
    }
}
