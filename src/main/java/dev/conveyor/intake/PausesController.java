package dev.conveyor.intake;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.conveyor.queue.Pause;
import dev.conveyor.queue.Pause.Kind;
import dev.conveyor.queue.Pauses;
import dev.conveyor.queue.QueueOverview;
import dev.conveyor.queue.UnknownQueueException;
import dev.conveyor.security.Caller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Pause, resume and watch lanes and job types (docs/operations.md, "Pause, resume, drain"). They belong to the
 * whole service, not to a tenant: reading is for readers, pausing and resuming for operators (SecurityConfig).
 */
@RestController
public class PausesController {

    private final Pauses pauses;
    private final QueueOverview overview;

    public PausesController(Pauses pauses, QueueOverview overview) {
        this.pauses = pauses;
        this.overview = overview;
    }

    /** GET /lanes: each lane, paused or not, with its waiting and running jobs and the oldest one's wait. */
    @GetMapping("/lanes")
    Map<String, List<QueueOverview.Row>> lanes() {
        return Map.of("lanes", overview.lanes());
    }

    /** GET /types: the same per job type. */
    @GetMapping("/types")
    Map<String, List<QueueOverview.Row>> types() {
        return Map.of("types", overview.types());
    }

    @PostMapping("/lanes/{lane}/pause")
    Map<String, Object> pauseLane(RequestScope scope, @PathVariable("lane") String lane) {
        return paused(pause(Kind.LANE, lane, scope));
    }

    @PostMapping("/lanes/{lane}/resume")
    Map<String, Object> resumeLane(RequestScope scope, @PathVariable("lane") String lane) {
        return resumed(Kind.LANE, lane, resume(Kind.LANE, lane, scope));
    }

    @PostMapping("/types/{type}/pause")
    Map<String, Object> pauseType(RequestScope scope, @PathVariable("type") String type) {
        return paused(pause(Kind.TYPE, type, scope));
    }

    @PostMapping("/types/{type}/resume")
    Map<String, Object> resumeType(RequestScope scope, @PathVariable("type") String type) {
        return resumed(Kind.TYPE, type, resume(Kind.TYPE, type, scope));
    }

    private Pause pause(Kind kind, String name, RequestScope scope) {
        try {
            return pauses.pause(kind, name, who(scope.caller()));
        } catch (UnknownQueueException e) {
            throw unknown(e);
        }
    }

    private int resume(Kind kind, String name, RequestScope scope) {
        try {
            return pauses.resume(kind, name, who(scope.caller()));
        } catch (UnknownQueueException e) {
            throw unknown(e);
        }
    }

    private static Map<String, Object> paused(Pause pause) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(pause.kind().wireName(), pause.name());
        body.put("paused", true);
        body.put("paused_by", pause.pausedBy());
        body.put("paused_at", pause.pausedAt());
        return body;
    }

    private static Map<String, Object> resumed(Kind kind, String name, int released) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(kind.wireName(), name);
        body.put("paused", false);
        body.put("released_jobs", released);
        return body;
    }

    /** The log and GET /lanes name the key that paused: its name, id and tenant. */
    private static String who(Caller caller) {
        return "API key '" + caller.name() + "' (" + caller.keyId() + ", tenant " + caller.tenantId() + ")";
    }

    private static ProblemException unknown(UnknownQueueException e) {
        return ProblemException.notFound("no " + e.kind().wireName() + " named '" + Echo.of(e.name()) + "'; the "
                + e.kind().wireName() + "s are: " + String.join(", ", e.known()));
    }
}
