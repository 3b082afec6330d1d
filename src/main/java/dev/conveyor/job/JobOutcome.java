package dev.conveyor.job;

import java.util.Map;

/**
 * What a processor reports when it finishes a job: the final status (SUCCESS, PARTIAL_SUCCESS or FAILED),
 * the result document, where a report can be fetched, and the business metrics for telemetry.
 */
public record JobOutcome(JobStatus status, Map<String, Object> result, String resultUrl, String errorMessage,
                         Map<String, Object> metrics) {

    public JobOutcome {
        if (status != JobStatus.SUCCESS && status != JobStatus.PARTIAL_SUCCESS && status != JobStatus.FAILED) {
            throw new IllegalArgumentException("a processor ends a job as SUCCESS, PARTIAL_SUCCESS or FAILED, not "
                    + status);
        }
    }

    public static JobOutcome success(Map<String, Object> result) {
        return new JobOutcome(JobStatus.SUCCESS, result, null, null, Map.of());
    }
}
