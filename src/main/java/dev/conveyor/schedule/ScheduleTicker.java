package dev.conveyor.schedule;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.ScheduleProperties;
import dev.conveyor.intake.JobIntake;
import dev.conveyor.intake.ProblemException;
import dev.conveyor.job.Submission;
import dev.conveyor.queue.DispatchSignal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Fires the due ticks of every schedule, called by the {@code schedules} route's timer on every instance. In one
 * transaction: the due schedules are locked {@code FOR UPDATE SKIP LOCKED} (an instance skips those another
 * holds), each tick's job is written through {@link JobIntake} with the idempotency key
 * {@code schedule:<name>:<tick>} (a tick fired twice, by a racing instance or after a crash, finds its job instead
 * of making another), and each schedule's next tick is written. So a tick makes one job across all instances, also
 * after a restart; the ticks missed while no instance ran follow the misfire policy ({@link TickPlan}). Every time
 * decision is the service's clock's (docs/architecture.md, "Time").
 */
@Component("scheduleTicker")
public class ScheduleTicker {

    private static final Logger log = LoggerFactory.getLogger(ScheduleTicker.class);
    /** Schedules planned in one transaction; more due wait for the next round, which the route starts at once. */
    static final int ROUND = 50;

    private final ScheduleStore store;
    private final ScheduleDefinitions definitions;
    private final JobIntake intake;
    private final DispatchSignal dispatchSignal;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final ScheduleProperties properties;
    /** Names this instance in the log: with several, which one fired a tick. */
    private final String instanceId;

    public ScheduleTicker(ScheduleStore store, ScheduleDefinitions definitions, JobIntake intake,
                          DispatchSignal dispatchSignal, TransactionTemplate tx, Clock clock,
                          ScheduleProperties properties, ConveyorProperties conveyor) {
        this.store = store;
        this.definitions = definitions;
        this.intake = intake;
        this.dispatchSignal = dispatchSignal;
        this.tx = tx;
        this.clock = clock;
        this.properties = properties;
        this.instanceId = conveyor.instanceId();
    }

    /** @return how many schedules this round planned (a full round: more may be due) */
    public int fireDue() {
        Instant now = clock.instant();
        int[] created = {0};
        Integer planned = tx.execute(status -> {
            List<Schedule> due = store.lockDue(now, ROUND);
            due.forEach(schedule -> created[0] += fire(schedule, now));
            return due.size();
        });
        if (created[0] > 0) {
            dispatchSignal.wake();
        }
        return planned == null ? 0 : planned;
    }

    /** Plans one schedule's ticks and writes their jobs and its next tick; returns how many jobs were created. */
    private int fire(Schedule schedule, Instant now) {
        ZoneId zone = ZoneId.of(schedule.zone());
        TickPlan plan = TickPlan.plan(Cron.parse(schedule.cron()), zone, schedule.misfire(), schedule.nextRunAt(),
                now, properties.scheduler().misfireGrace());
        if (plan.missed()) {
            log.warn("schedule {} missed its ticks from {} (more than {} ago); misfire {}: {}", schedule.name(),
                    schedule.nextRunAt(), properties.scheduler().misfireGrace(), schedule.misfire().wire(),
                    schedule.misfire() == Misfire.SKIP ? "none of them runs" : "one job runs for all of them");
        }
        int created = 0;
        Instant lastRun = null;
        String lastJob = null;
        for (Instant tick : plan.fire()) {
            try {
                Submission submission = intake.submitInTransaction(definitions.jobRequest(schedule,
                        tickKey(schedule.name(), tick)));
                lastRun = tick;
                lastJob = submission.job().jobId();
                if (submission.created()) {
                    created++;
                    log.info("schedule {} tick {}: job {} (by {})", schedule.name(), tick, lastJob, instanceId);
                }
            } catch (ProblemException e) {
                // the job no longer passes intake (its type was removed, its tenant's rules changed), or the tick's
                // key names a job made from the schedule's earlier definition: the tick is given up, the next comes
                log.error("schedule {} tick {} made no job: {}", schedule.name(), tick, e.getMessage());
            }
        }
        if (plan.nextRunAt() == null) {
            log.error("schedule {} ('{}') never fires again; it is paused", schedule.name(), schedule.cron());
            store.pauseForever(schedule.name());
            return created;
        }
        store.advance(schedule.name(), plan.nextRunAt(), lastRun, lastJob);
        return created;
    }

    /** The idempotency key of a tick's job: one job per schedule and tick, per tenant (jobs_idempotency_idx). */
    static String tickKey(String name, Instant tick) {
        return "schedule:" + name + ":" + tick;
    }
}
