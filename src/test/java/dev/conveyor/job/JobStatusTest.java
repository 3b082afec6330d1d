package dev.conveyor.job;

import org.junit.jupiter.api.Test;

import static dev.conveyor.job.JobStatus.*;
import static org.assertj.core.api.Assertions.assertThat;

class JobStatusTest {

    @Test
    void theHappyPathIsAllowed() {
        assertThat(QUEUED.canMoveTo(RUNNING)).isTrue();
        assertThat(RUNNING.canMoveTo(SUCCESS)).isTrue();
        assertThat(RUNNING.canMoveTo(PARTIAL_SUCCESS)).isTrue();
        assertThat(RUNNING.canMoveTo(FAILED)).isTrue();
    }

    @Test
    void finishedJobsStayFinishedExceptForAManualRetry() {
        for (JobStatus done : new JobStatus[] {SUCCESS, PARTIAL_SUCCESS, CANCELLED}) {
            for (JobStatus next : values()) {
                assertThat(done.canMoveTo(next)).as(done + " -> " + next).isFalse();
            }
        }
        assertThat(FAILED.canMoveTo(QUEUED)).isTrue();
        assertThat(DEAD_LETTERED.canMoveTo(QUEUED)).isTrue();
        assertThat(FAILED.canMoveTo(RUNNING)).isFalse();
    }

    @Test
    void aRunningJobCanBeHandedBackToTheQueue() {
        assertThat(RUNNING.canMoveTo(QUEUED)).isTrue();
        assertThat(RUNNING.canMoveTo(RETRYING)).isTrue();
    }

    @Test
    void onlyWaitingJobsCanBeClaimed() {
        assertThat(CLAIMABLE).containsExactlyInAnyOrder(QUEUED, RETRYING);
        assertThat(QUEUED.canMoveTo(SUCCESS)).isFalse();
    }

    @Test
    void terminalStatusesAreTheFinalOnes() {
        assertThat(SUCCESS.isTerminal()).isTrue();
        assertThat(DEAD_LETTERED.isTerminal()).isTrue();
        assertThat(RUNNING.isTerminal()).isFalse();
        assertThat(RETRYING.isTerminal()).isFalse();
    }
}
