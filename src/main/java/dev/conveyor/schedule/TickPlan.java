package dev.conveyor.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * What a due schedule does now: the ticks to fire, each one job, and when it is next due. A tick whose time passed
 * more than the misfire grace ago was missed (no instance ran, or the clock jumped past it): {@link Misfire#SKIP}
 * fires none of those, {@link Misfire#RUN_ONCE} one job for all of them, named by the first. Ticks within the
 * grace fire one job each, so a poll that came late (a pause of the JVM, a busy database) still gives every tick its
 * job. A pure function of the schedule's row and the time, so every instance plans a tick the same way.
 *
 * @param fire      the ticks that get a job, oldest first; each names its job (docs/schedules.md)
 * @param missed    whether ticks were missed (and the policy applied)
 * @param nextRunAt the first tick after now
 */
public record TickPlan(List<Instant> fire, boolean missed, Instant nextRunAt) {

    /** At most this many ticks within the grace fire in one round; the rest wait for the next (a 1-second cron and a long grace). */
    static final int MAX_TICKS_PER_ROUND = 100;

    public static TickPlan plan(Cron cron, ZoneId zone, Misfire misfire, Instant nextRunAt, Instant now,
                                Duration grace) {
        List<Instant> fire = new ArrayList<>();
        Instant missedBefore = now.minus(grace);
        boolean missed = nextRunAt.isBefore(missedBefore);
        if (missed && misfire == Misfire.RUN_ONCE) {
            fire.add(nextRunAt);
        }
        Instant tick = missed ? cron.next(missedBefore.minusNanos(1), zone) : nextRunAt;
        while (tick != null && !tick.isAfter(now)) {
            if (fire.size() == MAX_TICKS_PER_ROUND) {
                return new TickPlan(fire, missed, tick);
            }
            fire.add(tick);
            tick = cron.next(tick, zone);
        }
        return new TickPlan(fire, missed, tick);
    }
}
