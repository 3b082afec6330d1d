package dev.conveyor.job;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Job ids. A job's row id is a version 7 UUID: its first 48 bits are the millisecond it was made, and ids made in
 * the same millisecond by this process follow one another. Its human id is {@code job_} followed by the 32 lowercase
 * hex digits of that uuid.
 *
 * <p>Why time-ordered: every change of a job's status writes a new entry for the job into the indexes on its ids
 * ({@code jobs_pkey}, {@code job_id}'s unique index) and its events into {@code job_events_job_idx}. Jobs made
 * together are dispatched, run and ended together, so with time-ordered ids those entries land on a few index pages
 * instead of one random page per job (docs/architecture.md, "Job ids"; docs/benchmarks.md, "Time-ordered job ids").
 */
public final class JobIds {

    private static final Pattern FORMAT = Pattern.compile("job_[0-9a-f]{32}");

    /** Thread-safe; monotonic within this process. */
    private static final TimeBasedEpochGenerator ROW_IDS = Generators.timeBasedEpochGenerator();

    private JobIds() {
    }

    /** A new job's row id: after every id this process made before it. */
    public static UUID newRowId() {
        return ROW_IDS.generate();
    }

    public static String of(UUID id) {
        return "job_" + id.toString().replace("-", "");
    }

    public static boolean isWellFormed(String jobId) {
        return jobId != null && FORMAT.matcher(jobId).matches();
    }
}
