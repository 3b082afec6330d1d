package dev.conveyor.worker;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobOutcome;

/**
 * One run of a claimed job, as the worker route carries it from the processor to the step that records it:
 * the job as claimed, and either the processor's outcome or what it threw (then {@code processor} says whose
 * failure it was, for its classification; null when the type has none).
 */
public record Attempt(Job job, JobProcessor processor, JobOutcome outcome, Exception failure) {

    static Attempt finished(Job job, JobProcessor processor, JobOutcome outcome) {
        return new Attempt(job, processor, outcome, null);
    }

    static Attempt failed(Job job, JobProcessor processor, Exception failure) {
        return new Attempt(job, processor, null, failure);
    }
}
