package dev.conveyor.intake;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.job.Batch;
import dev.conveyor.job.BatchStatus;
import dev.conveyor.job.Submission;
import org.springframework.stereotype.Component;

/**
 * A batch's completion callbacks: {@code on_complete} (whatever the batch's status) and {@code on_success} (only when
 * it is SUCCESS), each a job to submit, given as the body {@code POST /jobs} takes. They are checked when the batch
 * is submitted, as that job would be, and submitted by {@link BatchCompletion} in the transaction that closes the
 * batch: both are written, or neither. Each callback job's idempotency key is derived from the batch and the
 * callback's name ({@code batch:<batch_id>:on_complete}), so even a second close could not make a second job.
 */
@Component
public class BatchCallbacks {

    /** The callbacks in the order they are submitted. */
    static final List<String> NAMES = List.of("on_complete", "on_success");

    private final JobRequestParser parser;
    private final JobIntake intake;
    private final ObjectMapper json;

    public BatchCallbacks(JobRequestParser parser, JobIntake intake, ObjectMapper json) {
        this.parser = parser;
        this.intake = intake;
        this.json = json;
    }

    /**
     * The callbacks of a {@code POST /jobs/batch} object body ({@code {"jobs": [...], "on_complete": {...}}}) as JSON
     * to store on the batch, or null when it names none; each is checked as a job of the tenant would be.
     *
     * @throws ProblemException 422 naming the callback and what is wrong with it, or an unknown field
     */
    public String check(String tenantId, String keyId, JsonNode body) {
        ObjectNode callbacks = json.createObjectNode();
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("jobs") && !NAMES.contains(name)) {
                throw ProblemException.unprocessable("unknown field '" + Echo.of(name) + "' of the batch (allowed: "
                        + "jobs, on_complete, on_success)");
            }
        }
        for (String name : NAMES) {
            JsonNode callback = body.get(name);
            if (callback == null || callback.isNull()) {
                continue;
            }
            if (callback.isObject() && callback.has("idempotency_key")) {
                throw ProblemException.unprocessable("'" + name + "' takes no 'idempotency_key': a callback's is "
                        + "derived from its batch, so it is submitted once");
            }
            try {
                intake.prepare(request(tenantId, keyId, callback, "batch:check:" + name));
            } catch (ProblemException e) {
                throw ProblemException.unprocessable("'" + name + "' is not a job this tenant could submit: "
                        + e.getMessage());
            }
            callbacks.set(name, callback);
        }
        if (callbacks.isEmpty()) {
            return null;
        }
        if (keyId != null) {
            callbacks.put("submitted_by", keyId);
        }
        return callbacks.toString();
    }

    /**
     * Submits the callbacks due for a batch closing with {@code status}, in the caller's transaction, and answers what
     * became of each: its job_id, or why it was refused (a callback that could be submitted when the batch came in
     * may not be any more: its file was removed since). Null when the batch has no callback due.
     */
    String fire(Batch batch, BatchStatus status) {
        if (batch.callbacksJson() == null) {
            return null;
        }
        JsonNode callbacks = read(batch.callbacksJson());
        String keyId = callbacks.hasNonNull("submitted_by") ? callbacks.get("submitted_by").asText() : null;
        Map<String, Object> fired = new LinkedHashMap<>();
        for (String name : NAMES) {
            if (!callbacks.hasNonNull(name) || (name.equals("on_success") && status != BatchStatus.SUCCESS)) {
                continue;
            }
            try {
                Submission submission = intake.submit(request(batch.tenantId(), keyId, callbacks.get(name),
                        "batch:" + batch.batchId() + ":" + name));
                fired.put(name, submission.job().jobId());
            } catch (ProblemException e) {
                // refused before anything was written (a conflict is impossible: the key is the batch's own)
                fired.put(name, Map.of("refused", e.getMessage()));
            }
        }
        if (fired.isEmpty()) {
            return null;
        }
        try {
            return json.writeValueAsString(fired);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JobRequest request(String tenantId, String keyId, JsonNode callback, String idempotencyKey) {
        JobRequest parsed = parser.parse(tenantId, callback, idempotencyKey);
        return new JobRequest(tenantId, "callback", parsed.type(), parsed.payload(), parsed.priority(), parsed.runAt(),
                parsed.correlationId(), parsed.parentJobId(), idempotencyKey, null, keyId, parsed.delay(),
                parsed.uniqueKey(), parsed.uniqueFor(), null);
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored callbacks do not parse", e);
        }
    }
}
