package dev.conveyor.intake;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.conveyor.job.JobFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Bulk actions by filter (docs/architecture.md, section 4, "Bulk actions"), for operators: {@code POST /jobs/retry}
 * and {@code POST /jobs/cancel} take the filters of {@code GET /jobs}, {@code POST /dead-letters/replay} those of
 * {@code GET /dead-letters}; each answers how many jobs it changed. Without any filter an action would take every
 * job of the tenant, so it then asks for {@code all=true} to be sure that is meant.
 */
@RestController
public class BulkActionsController {

    private static final Logger log = LoggerFactory.getLogger(BulkActionsController.class);

    private final BulkActions bulk;

    public BulkActionsController(BulkActions bulk) {
        this.bulk = bulk;
    }

    /** POST /jobs/retry?status=&type=&correlation_id=&created_after=&created_before=&all= */
    @PostMapping("/jobs/retry")
    Map<String, Object> retry(RequestScope scope, @RequestParam(required = false) String status,
                              @RequestParam(required = false) String type,
                              @RequestParam(name = "correlation_id", required = false) String correlationId,
                              @RequestParam(name = "created_after", required = false)
                              @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) OffsetDateTime createdAfter,
                              @RequestParam(name = "created_before", required = false)
                              @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) OffsetDateTime createdBefore,
                              @RequestParam(defaultValue = "false") boolean all) {
        JobFilter filter = JobsController.filter(scope, status, type, correlationId, createdAfter, createdBefore);
        requireFilterOrAll(filter.narrows(), all, "retry", "every FAILED and DEAD_LETTERED job",
                "status, type, correlation_id, created_after, created_before");
        int requeued = bulk.retry(filter);
        log.info("bulk retry by key {} for tenant {} ({}): {} jobs requeued", scope.caller().keyId(),
                scope.tenantId(), BulkActions.describe(filter), requeued);
        return Map.of("affected", requeued);
    }

    /** POST /jobs/cancel?status=&type=&correlation_id=&created_after=&created_before=&all= */
    @PostMapping("/jobs/cancel")
    Map<String, Object> cancel(RequestScope scope, @RequestParam(required = false) String status,
                               @RequestParam(required = false) String type,
                               @RequestParam(name = "correlation_id", required = false) String correlationId,
                               @RequestParam(name = "created_after", required = false)
                               @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) OffsetDateTime createdAfter,
                               @RequestParam(name = "created_before", required = false)
                               @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) OffsetDateTime createdBefore,
                               @RequestParam(defaultValue = "false") boolean all) {
        JobFilter filter = JobsController.filter(scope, status, type, correlationId, createdAfter, createdBefore);
        requireFilterOrAll(filter.narrows(), all, "cancel", "every QUEUED, RETRYING and RUNNING job",
                "status, type, correlation_id, created_after, created_before");
        BulkActions.Cancelled cancelled = bulk.cancel(filter);
        log.info("bulk cancel by key {} for tenant {} ({}): {} cancelled, {} running asked to stop",
                scope.caller().keyId(), scope.tenantId(), BulkActions.describe(filter), cancelled.cancelled(),
                cancelled.cancelRequested());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("affected", cancelled.affected());
        body.put("cancelled", cancelled.cancelled());
        body.put("cancel_requested", cancelled.cancelRequested());
        return body;
    }

    /** POST /dead-letters/replay?type=&since=&until=&all= */
    @PostMapping("/dead-letters/replay")
    Map<String, Object> replay(RequestScope scope, @RequestParam(required = false) String type,
                               @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
                               OffsetDateTime since,
                               @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
                               OffsetDateTime until,
                               @RequestParam(defaultValue = "false") boolean all) {
        String byType = JobsController.text(type);
        requireFilterOrAll(byType != null || since != null || until != null, all, "replay",
                "every dead-lettered job", "type, since, until");
        int replayed = bulk.replayDeadLetters(scope.tenantId(), byType, since == null ? null : since.toInstant(),
                until == null ? null : until.toInstant());
        log.info("bulk dead-letter replay by key {} for tenant {} (type={} since={} until={}): {} jobs requeued",
                scope.caller().keyId(), scope.tenantId(), byType, since, until, replayed);
        return Map.of("affected", replayed);
    }

    private static void requireFilterOrAll(boolean narrowed, boolean all, String action, String everything,
                                           String filters) {
        if (!narrowed && !all) {
            throw ProblemException.unprocessable("a bulk " + action + " without a filter would " + action + " "
                    + everything + " of the tenant: narrow it with " + filters + ", or send all=true if that is "
                    + "what you mean");
        }
    }
}
