package dev.conveyor.job;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The lifecycle of a job, and the transitions it allows (architecture, section 3). The table is enforced:
 * every status change goes through a {@link JobTransition}, whose SQL guard ({@code WHERE status IN (...)}) is
 * built from the sources it names, and each of those sources is checked against this table when the class
 * loads, so the table and the SQL cannot drift apart.
 *
 * <pre>
 * submit                          -> QUEUED
 * claim            QUEUED, RETRYING -> RUNNING
 * finish           RUNNING        -> SUCCESS, PARTIAL_SUCCESS, FAILED
 * retry            RUNNING        -> RETRYING
 * dead-letter      RUNNING, RETRYING -> DEAD_LETTERED
 * cancel           QUEUED, RETRYING -> CANCELLED; RUNNING -> CANCELLED (at a checkpoint)
 * hand-back        RUNNING        -> QUEUED (shutdown; the lease reaper uses retry / dead-letter instead)
 * manual retry     FAILED, DEAD_LETTERED -> QUEUED (a retry by hand, a dead letter's replay)
 * </pre>
 */
public enum JobStatus {
    QUEUED, RUNNING, RETRYING, SUCCESS, PARTIAL_SUCCESS, FAILED, DEAD_LETTERED, CANCELLED;

    private static final Map<JobStatus, Set<JobStatus>> ALLOWED = Map.of(
            QUEUED, EnumSet.of(RUNNING, CANCELLED),
            RUNNING, EnumSet.of(SUCCESS, PARTIAL_SUCCESS, FAILED, RETRYING, DEAD_LETTERED, CANCELLED, QUEUED),
            RETRYING, EnumSet.of(RUNNING, DEAD_LETTERED, CANCELLED),
            SUCCESS, EnumSet.noneOf(JobStatus.class),
            PARTIAL_SUCCESS, EnumSet.noneOf(JobStatus.class),
            FAILED, EnumSet.of(QUEUED),
            DEAD_LETTERED, EnumSet.of(QUEUED),
            CANCELLED, EnumSet.noneOf(JobStatus.class));

    private static final Map<JobStatus, Set<JobStatus>> SOURCES = sources();

    public boolean canMoveTo(JobStatus next) {
        return ALLOWED.get(this).contains(next);
    }

    /** The statuses this one may move to. */
    public Set<JobStatus> targets() {
        return Collections.unmodifiableSet(ALLOWED.get(this));
    }

    /** The statuses from which a job may move to {@code target}: the table read backwards. */
    public static Set<JobStatus> sourcesOf(JobStatus target) {
        return SOURCES.get(target);
    }

    /**
     * Refuses {@code from -> to} when the table does not allow it.
     *
     * @throws IllegalJobTransitionException naming the job and both statuses
     */
    public static void check(String jobId, JobStatus from, JobStatus to) {
        if (from == null || !from.canMoveTo(to)) {
            throw new IllegalJobTransitionException(jobId, from, to);
        }
    }

    /** {@code ('A', 'B')}: the statuses as an SQL list for {@code status IN ...}, in declaration order. */
    public static String sqlList(Set<JobStatus> statuses) {
        if (statuses.isEmpty()) {
            throw new IllegalArgumentException("an empty status list guards nothing");
        }
        return EnumSet.copyOf(statuses).stream().map(s -> "'" + s.name() + "'")
                .collect(Collectors.joining(", ", "(", ")"));
    }

    public boolean isTerminal() {
        return this == SUCCESS || this == PARTIAL_SUCCESS || this == FAILED || this == DEAD_LETTERED
                || this == CANCELLED;
    }

    /** Statuses from which a worker may claim a job. */
    public static final Set<JobStatus> CLAIMABLE = Collections.unmodifiableSet(EnumSet.of(QUEUED, RETRYING));

    private static Map<JobStatus, Set<JobStatus>> sources() {
        Map<JobStatus, Set<JobStatus>> sources = new EnumMap<>(JobStatus.class);
        for (JobStatus target : values()) {
            EnumSet<JobStatus> from = EnumSet.noneOf(JobStatus.class);
            for (JobStatus source : values()) {
                if (ALLOWED.get(source).contains(target)) {
                    from.add(source);
                }
            }
            sources.put(target, Collections.unmodifiableSet(from));
        }
        return Collections.unmodifiableMap(sources);
    }
}
