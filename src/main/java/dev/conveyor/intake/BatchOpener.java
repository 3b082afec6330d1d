package dev.conveyor.intake;

import java.util.List;

import dev.conveyor.job.Batch;
import dev.conveyor.job.BatchEvents;
import dev.conveyor.job.BatchStore;
import dev.conveyor.job.JobEventLog;
import dev.conveyor.job.Submission;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Makes one job a batch of its own — a dropped file, a {@code POST /jobs/csv} upload, a {@code bulk_import} — in one
 * transaction with the job and the batch.started event, so a batch is never seen without its job nor a job without
 * its batch. A submission that
 * is an idempotent replay keeps the batch its first submission opened, and the new one is dropped unseen.
 */
@Component
public class BatchOpener {

    /** Where a batch came from ({@code batches.source}). */
    public enum Source {
        INBOX, UPLOAD, URL, API;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final JobIntake intake;
    private final BatchStore batches;
    private final TransactionTemplate tx;
    private final JobEventLog events;

    public BatchOpener(JobIntake intake, BatchStore batches, TransactionTemplate tx, JobEventLog events) {
        this.intake = intake;
        this.batches = batches;
        this.tx = tx;
        this.events = events;
    }

    /**
     * Submits {@code request} as the one job of a new batch.
     *
     * @param sourceRef the inbox path, the upload's stored name or the URL
     * @param sha256    the file's SHA-256 (hex) when there is a file, else null
     * @param callbacks the batch's callbacks as {@link BatchCallbacks#check} made them, or null
     * @throws ProblemException as {@link JobIntake#submit} does; nothing is written then
     */
    public Submission submitAsBatch(JobRequest request, Source source, String sourceRef, String sha256,
                                    String callbacks) {
        return tx.execute(status -> {
            Batch batch = batches.open(request.tenantId(), source.wireName(), sourceRef, sha256, callbacks);
            Submission submission = intake.submit(request.inBatch(batch.batchId()));
            if (submission.created()) {
                events.emit(BatchEvents.started(batch, List.of(submission.job())));
            } else {
                batches.forget(batch.batchId());
            }
            return submission;
        });
    }
}
