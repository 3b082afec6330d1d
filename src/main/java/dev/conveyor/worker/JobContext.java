package dev.conveyor.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.Job;

/** What a processor sees of the job it runs: the job, its parsed payload, and a way to report progress. */
public record JobContext(Job job, JsonNode payload, ProgressReporter progress) {

    @FunctionalInterface
    public interface ProgressReporter {
        /**
         * Records progress (0-100) and extends the job's lease; {@code rowsProcessed} (negative: not counted)
         * goes into the job.progress event when one is due.
         */
        void report(int percent, long rowsProcessed);

        /** Records progress (0-100) and extends the job's lease, for work not counted in rows. */
        default void report(int percent) {
            report(percent, -1);
        }
    }
}
