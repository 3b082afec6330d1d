package dev.conveyor.schedule;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.intake.Echo;
import dev.conveyor.intake.JobIntake;
import dev.conveyor.intake.ProblemException;
import dev.conveyor.job.Submission;
import dev.conveyor.queue.DispatchSignal;
import dev.conveyor.security.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What the schedules API does ({@link SchedulesController}), for one tenant: a schedule of another tenant is not
 * there for it. Names are unique across tenants. A schedule application.yaml declares is the file's: it may be
 * paused, resumed and triggered, but not replaced or deleted through the API (409, saying where to change it).
 */
@Service
public class Schedules {

    private static final Logger log = LoggerFactory.getLogger(Schedules.class);

    private final ScheduleStore store;
    private final ScheduleDefinitions definitions;
    private final JobIntake intake;
    private final DispatchSignal dispatchSignal;
    private final TransactionTemplate tx;
    private final Clock clock;

    public Schedules(ScheduleStore store, ScheduleDefinitions definitions, JobIntake intake,
                     DispatchSignal dispatchSignal, TransactionTemplate tx, Clock clock) {
        this.store = store;
        this.definitions = definitions;
        this.intake = intake;
        this.dispatchSignal = dispatchSignal;
        this.tx = tx;
        this.clock = clock;
    }

    public List<Schedule> list(String tenantId) {
        return store.list(tenantId);
    }

    /** @throws ProblemException 404 when the tenant has no schedule of that name */
    public Schedule get(String tenantId, String name) {
        return store.find(name).filter(s -> s.tenantId().equals(tenantId)).orElseThrow(() -> notFound(name));
    }

    /**
     * Creates or replaces the schedule; its next tick is the first after now. A replaced schedule keeps its pause
     * and its last run.
     *
     * @return true when it was created
     * @throws ProblemException 422 for a bad definition, 409 when the name is declared in application.yaml or is
     *                          another tenant's
     */
    public boolean put(String tenantId, Caller caller, String name, JsonNode body) {
        if (!ScheduleDefinitions.isName(name)) {
            throw ProblemException.unprocessable("a schedule's name must be 1-64 letters, digits, '_', '.' or '-' "
                    + "(was '" + Echo.of(name) + "')");
        }
        // whose the name is comes first: no body makes a declared or another tenant's schedule the caller's
        checkMayPut(tenantId, name, store.find(name));
        ScheduleDefinition definition = definitions.check(tenantId, caller.keyId(), body);
        Boolean created = tx.execute(status -> {
            Optional<Schedule> existing = store.lock(name);
            checkMayPut(tenantId, name, existing);
            store.put(name, tenantId, definition, definitions.jobText(definition), definition.nextAfter(clock.instant()),
                    Schedule.API, caller.keyId());
            return existing.isEmpty();
        });
        log.info("schedule {} {} by key {} ({}): '{}' in {}", name, Boolean.TRUE.equals(created) ? "created"
                : "replaced", caller.keyId(), caller.name(), definition.cron().text(), definition.zone());
        return Boolean.TRUE.equals(created);
    }

    /** @throws ProblemException 404 when there is none, 409 when application.yaml declares it */
    public void delete(String tenantId, Caller caller, String name) {
        Schedule schedule = get(tenantId, name);
        if (schedule.declared()) {
            throw declaredConflict(name, "deleted");
        }
        if (store.delete(name)) {
            log.info("schedule {} deleted by key {} ({})", name, caller.keyId(), caller.name());
        }
    }

    /** Paused, a schedule fires no tick; its ticks while paused are not owed when it resumes. */
    public Schedule pause(String tenantId, Caller caller, String name) {
        return setPaused(tenantId, caller, name, true);
    }

    /** Resumed, a schedule fires from its first tick after now on. */
    public Schedule resume(String tenantId, Caller caller, String name) {
        return setPaused(tenantId, caller, name, false);
    }

    /** One job now, beside the ticks (whose times it leaves as they are), paused or not. */
    public Submission trigger(String tenantId, Caller caller, String name) {
        Instant now = clock.instant();
        Submission submission = tx.execute(status -> {
            Schedule schedule = lockOwned(tenantId, name);
            Submission made = intake.submitInTransaction(definitions.jobRequest(schedule,
                    "schedule:" + name + ":trigger:" + now));
            store.recordRun(name, now, made.job().jobId());
            return made;
        });
        dispatchSignal.wake();
        log.info("schedule {} triggered by key {} ({}): job {}", name, caller.keyId(), caller.name(),
                submission.job().jobId());
        return submission;
    }

    private static void checkMayPut(String tenantId, String name, Optional<Schedule> existing) {
        if (existing.isPresent() && !existing.get().tenantId().equals(tenantId)) {
            throw new ProblemException(409, "Conflict", "the schedule name '" + name + "' is taken; choose another");
        }
        if (existing.isPresent() && existing.get().declared()) {
            throw declaredConflict(name, "replaced");
        }
    }

    private Schedule setPaused(String tenantId, Caller caller, String name, boolean paused) {
        tx.executeWithoutResult(status -> {
            Schedule schedule = lockOwned(tenantId, name);
            Instant next = paused ? schedule.nextRunAt()
                    : Cron.parse(schedule.cron()).next(clock.instant(), ZoneId.of(schedule.zone()));
            store.setPaused(name, paused, next == null ? schedule.nextRunAt() : next);
        });
        log.info("schedule {} {} by key {} ({})", name, paused ? "paused" : "resumed", caller.keyId(), caller.name());
        return get(tenantId, name);
    }

    private Schedule lockOwned(String tenantId, String name) {
        return store.lock(name).filter(s -> s.tenantId().equals(tenantId)).orElseThrow(() -> notFound(name));
    }

    private static ProblemException notFound(String name) {
        return ProblemException.notFound("no schedule " + Echo.of(name));
    }

    private static ProblemException declaredConflict(String name, String what) {
        return new ProblemException(409, "Conflict", "schedule '" + name + "' is declared in application.yaml "
                + "(conveyor.schedules." + name + ") and cannot be " + what + " through the API; change it there "
                + "and restart, or pause it");
    }
}
