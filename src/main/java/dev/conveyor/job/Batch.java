package dev.conveyor.job;

import java.time.Instant;

/**
 * A batch row as stored: what was handed in as one unit (a dropped file, an upload, a bulk_import's URL, a POST
 * /jobs/batch request) and, once it completed, how it ended. The row counts are null while it runs; a count a
 * batch has no job for (rows_loaded of a file that was not loaded) stays null. JSON columns are JSON text.
 */
public record Batch(
        String batchId,
        String tenantId,
        String source,
        String sourceRef,
        BatchStatus status,
        RowCounts rows,
        String sha256,
        String reconciliation,
        boolean cancelRequested,
        String callbacksJson,
        String callbackJobIdsJson,
        Instant createdAt,
        Instant completedAt) {

    /** The rows of a batch's files as its jobs counted them; each null when no job of the batch counts it. */
    public record RowCounts(Long total, Long valid, Long invalid, Long loaded, Long unchanged) {

        public static final RowCounts NONE = new RowCounts(null, null, null, null, null);
    }
}
