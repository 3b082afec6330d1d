package dev.conveyor.job;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

import static dev.conveyor.job.JobStatus.*;

/**
 * The status changes the service makes, each one statement of {@link JobStore} run by one method of
 * {@link JobLifecycle}. A transition's sources become its SQL guard ({@link #guard()}); where a transition
 * takes every source the table allows it is derived from {@link JobStatus#sourcesOf}, and every source and
 * target is checked against the table when this class loads, so a statement can never move a job along an
 * edge the table forbids. Submitting (an INSERT, always QUEUED) has no source and is not listed.
 */
public enum JobTransition {
    CLAIM(sourcesOf(RUNNING), EnumSet.of(RUNNING)),
    FINISH(EnumSet.of(RUNNING), EnumSet.of(SUCCESS, PARTIAL_SUCCESS)),
    FAIL(sourcesOf(FAILED), EnumSet.of(FAILED)),
    RETRY(sourcesOf(RETRYING), EnumSet.of(RETRYING)),
    DEAD_LETTER(sourcesOf(DEAD_LETTERED), EnumSet.of(DEAD_LETTERED)),
    CANCEL_WAITING(EnumSet.of(QUEUED, RETRYING), EnumSet.of(CANCELLED)),
    CANCEL_RUNNING(EnumSet.of(RUNNING), EnumSet.of(CANCELLED)),
    /** Shutdown: the jobs an instance still runs go back to the queue, the interrupted attempt not counted. */
    HAND_BACK(EnumSet.of(RUNNING), EnumSet.of(QUEUED)),
    /** A manual retry or a dead letter's replay. */
    REQUEUE(EnumSet.of(FAILED, DEAD_LETTERED), EnumSet.of(QUEUED));

    private final Set<JobStatus> sources;
    private final Set<JobStatus> targets;
    private final String guard;

    JobTransition(Set<JobStatus> sources, Set<JobStatus> targets) {
        for (JobStatus from : sources) {
            for (JobStatus to : targets) {
                if (!from.canMoveTo(to)) {
                    throw new IllegalStateException(name() + " moves " + from + " -> " + to
                            + ", which JobStatus forbids");
                }
            }
        }
        this.sources = Collections.unmodifiableSet(EnumSet.copyOf(sources));
        this.targets = Collections.unmodifiableSet(EnumSet.copyOf(targets));
        this.guard = "status IN " + JobStatus.sqlList(sources);
    }

    public Set<JobStatus> sources() {
        return sources;
    }

    public Set<JobStatus> targets() {
        return targets;
    }

    /** The SQL condition a statement of this transition is guarded by: {@code status IN ('A', 'B')}. */
    public String guard() {
        return guard;
    }

    /**
     * The guard as a check on rows a set statement has already found by key ({@code job_id}), written so the
     * planner cannot search by it: {@code (j.status IN ('A', 'B')) IS TRUE}. A queue table's status statistics
     * are stale by nature (a burst of 50,000 QUEUED jobs arrives between two ANALYZEs), and with {@link #guard()}
     * a cached plan believed the few QUEUED rows of the last ANALYZE and scanned every QUEUED job for each claim
     * of four: 190 ms instead of 0.2 ms (docs/architecture.md, "Set-based writes").
     */
    public String checkOn(String alias) {
        return "(" + alias + "." + guard + ") IS TRUE";
    }

    /**
     * Refuses to move the job from {@code from} to {@code to} by this transition unless the table and this
     * transition both allow it.
     *
     * @throws IllegalJobTransitionException naming the job, from and to
     */
    public void check(String jobId, JobStatus from, JobStatus to) {
        JobStatus.check(jobId, from, to);
        if (!sources.contains(from) || !targets.contains(to)) {
            throw new IllegalJobTransitionException(jobId, from, to);
        }
    }
}
