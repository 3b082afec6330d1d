package dev.conveyor.job;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a processor reports when it finishes a job: the final status (SUCCESS, PARTIAL_SUCCESS or FAILED),
 * the result document, where a report can be fetched, the business metrics for telemetry, and the jobs
 * that follow from it (recorded with this outcome, in the same statement, and created once it has committed;
 * their derived idempotency keys keep a chain from losing or doubling a link).
 */
public record JobOutcome(JobStatus status, Map<String, Object> result, String resultUrl, String errorMessage,
                         Map<String, Object> metrics, List<FollowUp> next) {

    /** A job to create as a child of the finished one: same tenant and correlation id, parent = this job. */
    public record FollowUp(String type, JsonNode payload) {
    }

    public JobOutcome(JobStatus status, Map<String, Object> result, String resultUrl, String errorMessage,
                      Map<String, Object> metrics) {
        this(status, result, resultUrl, errorMessage, metrics, List.of());
    }

    public JobOutcome withNext(List<FollowUp> followUps) {
        return new JobOutcome(status, result, resultUrl, errorMessage, metrics, List.copyOf(followUps));
    }

    public JobOutcome {
        next = next == null ? List.of() : List.copyOf(next);
        if (status != JobStatus.SUCCESS && status != JobStatus.PARTIAL_SUCCESS && status != JobStatus.FAILED) {
            throw new IllegalArgumentException("a processor ends a job as SUCCESS, PARTIAL_SUCCESS or FAILED, not "
                    + status);
        }
    }

    public static JobOutcome success(Map<String, Object> result) {
        return new JobOutcome(JobStatus.SUCCESS, result, null, null, Map.of());
    }
}
