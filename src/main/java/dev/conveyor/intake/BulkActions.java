package dev.conveyor.intake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.ToIntFunction;

import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.job.BulkCandidate;
import dev.conveyor.job.DeadLetterStore;
import dev.conveyor.job.JobFilter;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobStatus;
import dev.conveyor.job.JobStore;
import dev.conveyor.job.JobTransition;
import dev.conveyor.queue.DispatchSignal;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Bulk actions by filter (docs/architecture.md, section 4, "Bulk actions"): retry, cancel, replay dead letters. Each
 * walks the matching jobs in chunks of {@code conveyor.db.batch-max-rows}, by row id, and changes a chunk with one
 * statement through the lifecycle (the one writer of a job's status), which writes every job's event with it. A job
 * that has moved on since it was read is left alone by that statement's guard, so a repeated call changes only what
 * still matches: nothing, once the first one has done its work.
 */
@Service
public class BulkActions {

    private static final Set<JobStatus> CANCELLABLE = EnumSet.of(JobStatus.QUEUED, JobStatus.RETRYING,
            JobStatus.RUNNING);

    private final JobStore store;
    private final DeadLetterStore deadLetters;
    private final JobLifecycle lifecycle;
    private final TransactionTemplate tx;
    private final DispatchSignal dispatchSignal;
    private final int chunk;

    public BulkActions(JobStore store, DeadLetterStore deadLetters, JobLifecycle lifecycle, TransactionTemplate tx,
                       DispatchSignal dispatchSignal, ConveyorProperties properties) {
        this.store = store;
        this.deadLetters = deadLetters;
        this.lifecycle = lifecycle;
        this.tx = tx;
        this.dispatchSignal = dispatchSignal;
        this.chunk = properties.db().batchMaxRows();
    }

    /** What a bulk cancel did: waiting jobs cancelled, running ones asked to stop at their next checkpoint. */
    public record Cancelled(int cancelled, int cancelRequested) {

        public int affected() {
            return cancelled + cancelRequested;
        }
    }

    /**
     * The filter's FAILED and DEAD_LETTERED jobs back to QUEUED, their attempts counted afresh; returns how many.
     *
     * @throws ProblemException 422 when the filter's status is one a retry does not take
     */
    public int retry(JobFilter filter) {
        Set<JobStatus> retryable = JobTransition.REQUEUE.sources();
        int requeued = forEachChunk(after -> store.bulkCandidates(filter, only(filter, retryable, "retried"), after,
                chunk), candidates -> lifecycle.requeueAll(ids(oneOfEachActiveKey(candidates))).size());
        if (requeued > 0) {
            dispatchSignal.wake();
        }
        return requeued;
    }

    /**
     * The filter's waiting jobs (QUEUED, RETRYING) cancelled; its RUNNING ones asked to stop at their next
     * checkpoint, as {@code POST /jobs/{job_id}/cancel} does.
     *
     * @throws ProblemException 422 when the filter's status is one a cancel does not take
     */
    public Cancelled cancel(JobFilter filter) {
        Set<JobStatus> statuses = only(filter, CANCELLABLE, "cancelled");
        int[] running = {0};
        int cancelled = forEachChunk(after -> store.bulkCandidates(filter, statuses, after, chunk), candidates -> {
            List<UUID> ids = ids(candidates);
            int waiting = lifecycle.cancelWaitingAll(ids).size();
            running[0] += store.requestCancelAll(ids).size();
            return waiting;
        });
        return new Cancelled(cancelled, running[0]);
    }

    /**
     * The tenant's dead-lettered jobs (those still DEAD_LETTERED) back to QUEUED, by their dead letters' type and
     * time ({@code since} inclusive, {@code until} exclusive; null: any); each replay counted on the job's newest
     * dead letter, in the same transaction. Returns how many jobs were replayed.
     */
    public int replayDeadLetters(String tenantId, String type, Instant since, Instant until) {
        return replayDeadLetters(tenantId, type, null, since, until);
    }

    /** The same, also by the text of the dead letters' last error (case-insensitive; null: any). */
    public int replayDeadLetters(String tenantId, String type, String errorContains, Instant since, Instant until) {
        int replayed = forEachChunk(after -> store.deadLetterCandidates(tenantId, type, errorContains, since, until,
                        after, chunk),
                candidates -> tx.execute(status -> {
                    List<BulkCandidate> chosen = oneOfEachActiveKey(candidates);
                    Set<String> requeued = new HashSet<>();
                    lifecycle.requeueAll(ids(chosen)).forEach(job -> requeued.add(job.jobId()));
                    deadLetters.markReplayed(chosen.stream().filter(c -> requeued.contains(c.jobId()))
                            .map(BulkCandidate::deadLetterId).toList());
                    return requeued.size();
                }));
        if (replayed > 0) {
            dispatchSignal.wake();
        }
        return replayed;
    }

    /**
     * Reads chunk after chunk (each after the last row id of the one before) until one comes back short, applies
     * {@code action} to each, and sums what it answers.
     */
    private int forEachChunk(Function<UUID, List<BulkCandidate>> read, ToIntFunction<List<BulkCandidate>> action) {
        int total = 0;
        UUID after = null;
        while (true) {
            List<BulkCandidate> candidates = read.apply(after);
            if (candidates.isEmpty()) {
                return total;
            }
            total += action.applyAsInt(candidates);
            if (candidates.size() < chunk) {
                return total;
            }
            after = candidates.get(candidates.size() - 1).id();
        }
    }

    /** The statuses an action takes, narrowed to the filter's, or a 422 when the filter's is not one of them. */
    private static Set<JobStatus> only(JobFilter filter, Set<JobStatus> takes, String done) {
        if (filter.status() == null) {
            return takes;
        }
        if (!takes.contains(filter.status())) {
            throw ProblemException.unprocessable("status " + filter.status() + " names no job that can be " + done
                    + "; use one of " + EnumSet.copyOf(takes) + ", or leave status out for all of them");
        }
        return EnumSet.of(filter.status());
    }

    /**
     * Of jobs with the same while_active unique key, only the first: requeued together they would be two active
     * jobs of one key (V50's index). The others stay as they are, and a later call finds the key held.
     */
    private static List<BulkCandidate> oneOfEachActiveKey(List<BulkCandidate> candidates) {
        Set<String> keys = new HashSet<>();
        List<BulkCandidate> chosen = new ArrayList<>(candidates.size());
        for (BulkCandidate candidate : candidates) {
            if (candidate.activeUniqueKey() == null || keys.add(candidate.activeUniqueKey())) {
                chosen.add(candidate);
            }
        }
        return chosen;
    }

    private static List<UUID> ids(List<BulkCandidate> candidates) {
        return candidates.stream().map(BulkCandidate::id).toList();
    }

    /** The filter as a log line names it. */
    static String describe(JobFilter filter) {
        return "status=" + filter.status() + " type=" + filter.type() + " correlation_id=" + filter.correlationId()
                + " created_after=" + filter.createdAfter() + " created_before=" + filter.createdBefore();
    }
}
