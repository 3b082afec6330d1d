package dev.conveyor.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which ticks fire, for a schedule whose row says {@code next} and a clock that says {@code now}. */
class TickPlanTest {

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final Cron EVERY_MINUTE = Cron.parse("* * * * *");
    private static final Instant NEXT = Instant.parse("2026-03-10T10:00:00Z");

    @Test
    void aTickOnTimeFiresOnceAndTheNextIsTheFollowingOne() {
        TickPlan plan = TickPlan.plan(EVERY_MINUTE, UTC, Misfire.SKIP, NEXT, NEXT.plusMillis(300), GRACE);
        assertThat(plan.fire()).containsExactly(NEXT);
        assertThat(plan.missed()).isFalse();
        assertThat(plan.nextRunAt()).isEqualTo(NEXT.plusSeconds(60));
    }

    @Test
    void nothingIsDueBeforeTheTickEvenAfterTheClockWentBack() {
        TickPlan plan = TickPlan.plan(EVERY_MINUTE, UTC, Misfire.RUN_ONCE, NEXT, NEXT.minusSeconds(3600), GRACE);
        assertThat(plan.fire()).isEmpty();
        assertThat(plan.nextRunAt()).isEqualTo(NEXT);
    }

    @Test
    void ticksALatePollFindsWithinTheGraceEachFire() {
        Cron everySecond = Cron.parse("* * * * * *");
        TickPlan plan = TickPlan.plan(everySecond, UTC, Misfire.SKIP, NEXT, NEXT.plusMillis(2500), GRACE);
        assertThat(plan.fire()).containsExactly(NEXT, NEXT.plusSeconds(1), NEXT.plusSeconds(2));
        assertThat(plan.nextRunAt()).isEqualTo(NEXT.plusSeconds(3));
    }

    @Test
    void afterAClockJumpSkipFiresNoMissedTickAndGoesOnWithTheNextToCome() {
        Instant now = NEXT.plus(Duration.ofHours(5)).plusSeconds(30);
        TickPlan plan = TickPlan.plan(EVERY_MINUTE, UTC, Misfire.SKIP, NEXT, now, GRACE);
        assertThat(plan.missed()).isTrue();
        assertThat(plan.fire()).isEmpty();
        assertThat(plan.nextRunAt()).isEqualTo(NEXT.plus(Duration.ofHours(5)).plusSeconds(60));
    }

    @Test
    void afterAClockJumpRunOnceFiresOneJobNamedByTheFirstMissedTick() {
        Instant now = NEXT.plus(Duration.ofHours(5)).plusSeconds(30);
        TickPlan plan = TickPlan.plan(EVERY_MINUTE, UTC, Misfire.RUN_ONCE, NEXT, now, GRACE);
        assertThat(plan.fire()).containsExactly(NEXT);
        assertThat(plan.nextRunAt()).isEqualTo(NEXT.plus(Duration.ofHours(5)).plusSeconds(60));
    }

    @Test
    void aTickWithinTheGraceStillFiresBesideTheMissedOnes() {
        // down from 10:00 to 10:05:04: 10:00-10:04 missed, 10:05 is 4 s late, within the grace
        Instant now = NEXT.plus(Duration.ofMinutes(5)).plusSeconds(4);
        assertThat(TickPlan.plan(EVERY_MINUTE, UTC, Misfire.SKIP, NEXT, now, GRACE).fire())
                .containsExactly(NEXT.plus(Duration.ofMinutes(5)));
        assertThat(TickPlan.plan(EVERY_MINUTE, UTC, Misfire.RUN_ONCE, NEXT, now, GRACE).fire())
                .containsExactly(NEXT, NEXT.plus(Duration.ofMinutes(5)));
    }

    @Test
    void aRoundFiresAtMostItsShareAndLeavesTheRestForTheNext() {
        Cron everySecond = Cron.parse("* * * * * *");
        TickPlan plan = TickPlan.plan(everySecond, UTC, Misfire.SKIP, NEXT, NEXT.plusSeconds(500),
                Duration.ofHours(1));
        assertThat(plan.fire()).hasSize(TickPlan.MAX_TICKS_PER_ROUND);
        assertThat(plan.nextRunAt()).isEqualTo(NEXT.plusSeconds(TickPlan.MAX_TICKS_PER_ROUND));
    }
}
