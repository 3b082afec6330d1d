package dev.conveyor.intake;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.config.BatchProperties;
import dev.conveyor.job.Batch;
import dev.conveyor.job.BatchEvents;
import dev.conveyor.job.BatchStatus;
import dev.conveyor.job.BatchStore;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobEventLog;
import dev.conveyor.job.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Closes batches whose jobs are all final, exactly once, from any number of instances (the batch-completion route,
 * routes/batches.camel.yaml). A batch is final when every job of it is final and no job still has follow-ups to
 * create — a validation that ended before its warehouse load exists keeps its batch open. Each batch is closed in a
 * transaction of its own that locks it ({@code FOR UPDATE SKIP LOCKED}) and writes it only while it is RUNNING, so
 * two completers racing for it close it once; a completer stopped half-way rolls back, and the next look closes it.
 *
 * <p>Closing decides the status from the jobs' ({@link BatchStatus#of}; a cancelled batch is CANCELLED), counts the
 * rows from their results and reconciles them ({@link RowAccounting}): rows that do not add up make the batch
 * FAILED, its reconciliation note naming the numbers. Its callback jobs ({@link BatchCallbacks}) and the
 * batch.completed event, with the counts, are written in the same transaction.
 */
@Component
public class BatchCompletion {

    private static final Logger log = LoggerFactory.getLogger(BatchCompletion.class);

    private final BatchStore batches;
    private final JobStore jobs;
    private final TransactionTemplate tx;
    private final ObjectMapper json;
    private final int max;
    private final JobEventLog events;
    private final BatchCallbacks callbacks;

    public BatchCompletion(BatchStore batches, JobStore jobs, TransactionTemplate tx, ObjectMapper json,
                           BatchProperties properties, JobEventLog events, BatchCallbacks callbacks) {
        this.events = events;
        this.callbacks = callbacks;
        this.batches = batches;
        this.jobs = jobs;
        this.tx = tx;
        this.json = json;
        this.max = properties.completionMax();
    }

    /** Closes the finished batches, up to conveyor.batches.completion-max, each in its own transaction; how many. */
    public int completeFinished() {
        int closed = 0;
        while (closed < max && Boolean.TRUE.equals(tx.execute(status -> completeOne()))) {
            closed++;
        }
        return closed;
    }

    /** Closes the oldest finished batch no other completer holds; false when there is none. */
    private boolean completeOne() {
        List<Batch> finished = batches.lockCompletable(1);
        if (finished.isEmpty()) {
            return false;
        }
        Batch batch = finished.get(0);
        List<Job> ofBatch = jobs.ofBatch(batch.batchId());
        RowAccounting.Outcome rows = RowAccounting.of(ofBatch, json);
        BatchStatus status = batch.cancelRequested() ? BatchStatus.CANCELLED
                : BatchStatus.of(ofBatch.stream().map(Job::status).toList());
        if (rows.replayedClean() && status != BatchStatus.CANCELLED) {
            // replays fixed every invalid row: the file's validation stays PARTIAL_SUCCESS, the batch is whole
            status = BatchStatus.SUCCESS;
        }
        String note = rows.note();
        if (!rows.mismatches().isEmpty() && status != BatchStatus.CANCELLED) {
            status = BatchStatus.FAILED;
        }
        if (ofBatch.isEmpty()) {
            note = "the batch has no jobs";
        }
        // the callback jobs are written in this transaction, before the batch is marked closed: both commit, or neither
        String callbackJobIds = callbacks.fire(batch, status);
        Batch closed = batches.complete(batch.batchId(), status, rows.rows(), note, callbackJobIds)
                .orElseThrow(() -> new IllegalStateException(batch.batchId() + " was locked RUNNING but not closed"));
        events.emit(BatchEvents.completed(closed, ofBatch));
        log.info("batch {} {}: {}", closed.batchId(), closed.status(), note == null ? "no rows counted" : note);
        return true;
    }
}
