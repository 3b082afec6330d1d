package dev.conveyor.worker;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.job.JobOutcome;

/**
 * The domain work of one job type. A new type is a bean implementing this plus a payload schema in
 * {@code schemas/jobs/<type>-v1.json}; nothing else changes.
 */
public interface JobProcessor {

    /** The job type this processor runs, as named in {@code POST /jobs}. */
    String type();

    JobOutcome process(JobContext context) throws Exception;

    /**
     * Checks of a schema-valid payload that a schema cannot express (a file that must exist, say), run at
     * intake. Each string is one problem, reported to the submitter with a 422.
     */
    default List<String> checkPayload(JsonNode payload) {
        return List.of();
    }

    /**
     * {@link #checkPayload(JsonNode)} for a job of the given tenant, what intake calls: a type whose payload names
     * tenant-owned things (files) overrides this one.
     */
    default List<String> checkPayload(String tenantId, JsonNode payload) {
        return checkPayload(payload);
    }

    /**
     * Whether only the service itself makes jobs of this type (a batch's webhook delivery): intake refuses them from
     * every source (POST /jobs, batches, schedules, the SQL table), and does not list them among the known types.
     */
    default boolean internal() {
        return false;
    }

    /**
     * This type's own reading of a failure, before the shared table of {@link ErrorClassifier}: empty to
     * leave it to the table.
     */
    default java.util.Optional<ErrorKind> classify(Throwable failure) {
        return java.util.Optional.empty();
    }
}
