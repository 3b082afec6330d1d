package dev.conveyor.job;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static dev.conveyor.job.JobStatus.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transition table is enforced: pure logic, no database. */
class JobTransitionTest {

    @Test
    void theTableIsExactlyTheMovesTheServiceMakes() {
        Set<String> table = new HashSet<>();
        for (JobStatus from : values()) {
            for (JobStatus to : from.targets()) {
                table.add(from + "->" + to);
            }
        }
        Set<String> made = new HashSet<>();
        for (JobTransition transition : JobTransition.values()) {
            for (JobStatus from : transition.sources()) {
                for (JobStatus to : transition.targets()) {
                    made.add(from + "->" + to);
                }
            }
        }
        // no edge of the table is unused, and no transition leaves the table (the latter also fails class loading)
        assertThat(made).isEqualTo(table);
        assertThat(table).containsExactlyInAnyOrder(
                "QUEUED->RUNNING", "RETRYING->RUNNING",
                "RUNNING->SUCCESS", "RUNNING->PARTIAL_SUCCESS", "RUNNING->FAILED",
                "RUNNING->RETRYING", "RUNNING->DEAD_LETTERED", "RETRYING->DEAD_LETTERED",
                "QUEUED->CANCELLED", "RETRYING->CANCELLED", "RUNNING->CANCELLED",
                "RUNNING->QUEUED",
                "FAILED->QUEUED", "DEAD_LETTERED->QUEUED");
    }

    @Test
    void sourcesOfReadsTheTableBackwards() {
        assertThat(sourcesOf(RUNNING)).isEqualTo(CLAIMABLE).containsExactlyInAnyOrder(QUEUED, RETRYING);
        assertThat(sourcesOf(QUEUED)).containsExactlyInAnyOrder(RUNNING, FAILED, DEAD_LETTERED);
        assertThat(sourcesOf(CANCELLED)).containsExactlyInAnyOrder(QUEUED, RETRYING, RUNNING);
        assertThat(sourcesOf(DEAD_LETTERED)).containsExactlyInAnyOrder(RUNNING, RETRYING);
        for (JobStatus target : values()) {
            for (JobStatus source : values()) {
                assertThat(sourcesOf(target).contains(source)).as(source + " -> " + target)
                        .isEqualTo(source.canMoveTo(target));
            }
        }
    }

    @Test
    void eachStatementIsGuardedByTheSourcesOfItsTransition() {
        assertThat(JobTransition.CLAIM.guard()).isEqualTo("status IN ('QUEUED', 'RETRYING')");
        assertThat(JobTransition.HAND_BACK.guard()).isEqualTo("status IN ('RUNNING')");
        assertThat(JobTransition.REQUEUE.guard()).isEqualTo("status IN ('FAILED', 'DEAD_LETTERED')");
        assertThat(JobTransition.DEAD_LETTER.guard()).isEqualTo("status IN ('RUNNING', 'RETRYING')");
        for (JobTransition transition : JobTransition.values()) {
            assertThat(transition.guard()).isEqualTo("status IN " + sqlList(transition.sources()));
            for (JobStatus to : transition.targets()) {
                assertThat(sourcesOf(to)).as(transition.name()).containsAll(transition.sources());
            }
        }
    }

    @Test
    void anIllegalMoveIsRefusedNamingTheJobFromAndTo() {
        assertThatThrownBy(() -> check("job_1", RUNNING, RUNNING))
                .isInstanceOf(IllegalJobTransitionException.class)
                .hasMessageContaining("job_1").hasMessageContaining("RUNNING -> RUNNING");
        for (JobStatus done : EnumSet.of(SUCCESS, PARTIAL_SUCCESS, CANCELLED)) {
            for (JobStatus next : values()) {
                assertThatThrownBy(() -> check("job_2", done, next)).isInstanceOf(IllegalJobTransitionException.class)
                        .satisfies(e -> {
                            IllegalJobTransitionException refused = (IllegalJobTransitionException) e;
                            assertThat(refused.jobId()).isEqualTo("job_2");
                            assertThat(refused.from()).isEqualTo(done);
                            assertThat(refused.to()).isEqualTo(next);
                        });
            }
        }
        assertThatThrownBy(() -> check("job_3", QUEUED, SUCCESS)).isInstanceOf(IllegalJobTransitionException.class);
        assertThatThrownBy(() -> check("job_4", null, QUEUED)).isInstanceOf(IllegalJobTransitionException.class);
        check("job_5", RUNNING, QUEUED); // the hand-back, which the table used to forbid
    }

    @Test
    void aTransitionRefusesAMoveTheTableAllowsButItDoesNotMake() {
        // RETRYING -> CANCELLED is in the table, but not what the running-job cancel does
        assertThatThrownBy(() -> JobTransition.CANCEL_RUNNING.check("job_1", RETRYING, CANCELLED))
                .isInstanceOf(IllegalJobTransitionException.class).hasMessageContaining("RETRYING -> CANCELLED");
        // a finish is never a hand-back
        assertThatThrownBy(() -> JobTransition.FINISH.check("job_1", RUNNING, QUEUED))
                .isInstanceOf(IllegalJobTransitionException.class);
        // RUNNING -> QUEUED is a hand-back, not a manual retry
        assertThatThrownBy(() -> JobTransition.REQUEUE.check("job_1", RUNNING, QUEUED))
                .isInstanceOf(IllegalJobTransitionException.class);
        JobTransition.FINISH.check("job_1", RUNNING, PARTIAL_SUCCESS);
        JobTransition.HAND_BACK.check("job_1", RUNNING, QUEUED);
        JobTransition.REQUEUE.check("job_1", DEAD_LETTERED, QUEUED);
    }
}
