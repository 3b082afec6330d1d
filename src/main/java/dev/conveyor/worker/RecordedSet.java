package dev.conveyor.worker;

import java.util.List;

import dev.conveyor.job.Job;

/**
 * What the worker route's {@code record-outcomes} step wrote for a message's set of jobs: the jobs as they ended
 * (their follow-ups still to be created), and the jobs whose last attempt failed, which the route dead-letters.
 * A job missing from both no longer belonged to its attempt (cancelled, or taken over after its lease expired).
 */
public record RecordedSet(List<Job> jobs, List<JobExhaustedException> exhausted) {
}
