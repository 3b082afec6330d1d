package dev.conveyor.intake;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.conveyor.job.DeadLetterStore;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobStore;
import dev.conveyor.queue.DispatchSignal;
import dev.conveyor.security.Role;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The dead letters of the caller's tenant (docs/architecture.md, section 4): list them, replay one. */
@RestController
@RequestMapping("/dead-letters")
public class DeadLettersController {

    private final DeadLetterStore deadLetters;
    private final JobLifecycle lifecycle;
    private final JobStore store;
    private final JobViews views;
    private final DispatchSignal dispatchSignal;

    public DeadLettersController(DeadLetterStore deadLetters, JobLifecycle lifecycle, JobStore store, JobViews views,
                                 DispatchSignal dispatchSignal) {
        this.deadLetters = deadLetters;
        this.lifecycle = lifecycle;
        this.store = store;
        this.views = views;
        this.dispatchSignal = dispatchSignal;
    }

    /** GET /dead-letters?type=&since=&until=&limit= (since, until: ISO-8601 date-times with an offset). */
    @GetMapping
    Map<String, Object> list(RequestScope scope, @RequestParam(required = false) String type,
                             @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
                             OffsetDateTime since,
                             @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
                             OffsetDateTime until,
                             @RequestParam(defaultValue = PageLimit.DEFAULT) PageLimit limit) {
        Map<String, Object> body = new LinkedHashMap<>();
        // a stack trace shows the service's insides: for admins only, everyone else reads the error message
        body.put("dead_letters", deadLetters.list(scope.tenantId(), JobsController.text(type),
                since == null ? null : since.toInstant(), until == null ? null : until.toInstant(), limit.value(),
                scope.caller().may(Role.ADMIN)));
        return body;
    }

    /** POST /dead-letters/{id}/replay: the job back to QUEUED; the replay is counted on the dead letter. */
    @PostMapping("/{id}/replay")
    ResponseEntity<Map<String, Object>> replay(RequestScope scope, @PathVariable("id") String idText) {
        long id;
        try {
            id = Long.parseLong(idText);
        } catch (NumberFormatException e) {
            throw ProblemException.notFound("no dead letter " + Echo.of(idText));
        }
        String jobId = deadLetters.jobOf(scope.tenantId(), id)
                .orElseThrow(() -> ProblemException.notFound("no dead letter " + id));
        Job queued = lifecycle.requeue(jobId).orElseThrow(() -> JobsController.conflict(jobId, "replayed",
                store.find(jobId).orElseThrow()));
        deadLetters.markReplayed(id);
        dispatchSignal.wake();
        return ResponseEntity.accepted().body(views.accepted(queued));
    }
}
