package dev.conveyor.intake;

import java.nio.charset.StandardCharsets;
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
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.Priority;
import dev.conveyor.job.Submission;
import dev.conveyor.processors.WebhookDelivery;
import dev.conveyor.queue.DispatchSignal;
import dev.conveyor.worker.RetryPolicy;
import org.springframework.stereotype.Component;

/**
 * A batch's completion callbacks: {@code on_complete} (whatever the batch's status) and {@code on_success} (only when
 * it is SUCCESS), each a job to submit, given as the body {@code POST /jobs} takes, or a webhook,
 * {@code {"webhook": {"url": "https://..."}}}. They are checked when the batch is submitted, a job as that job would
 * be, a webhook's URL against the outbound rules ({@link WebhookDelivery#urlProblem}), and submitted by
 * {@link BatchCompletion} in the transaction that closes the batch: both are written, or neither. A webhook is
 * submitted as a job too, of the internal type {@code batch_webhook} ({@link BatchWebhookProcessor}), so that its
 * delivery is retried, dead-lettered and replayed as any job is. Each callback job's idempotency key is derived from
 * the batch and the callback's name ({@code batch:<batch_id>:on_complete}), so even a second close could not make a
 * second job.
 */
@Component
public class BatchCallbacks {

    /** The callbacks in the order they are submitted. */
    static final List<String> NAMES = List.of("on_complete", "on_success");

    private static final String WEBHOOK = "webhook";

    private final JobRequestParser parser;
    private final JobIntake intake;
    private final ObjectMapper json;
    private final WebhookDelivery webhooks;
    private final JobLifecycle lifecycle;
    private final RetryPolicy retryPolicy;
    private final DispatchSignal dispatchSignal;

    public BatchCallbacks(JobRequestParser parser, JobIntake intake, ObjectMapper json, WebhookDelivery webhooks,
                          JobLifecycle lifecycle, RetryPolicy retryPolicy, DispatchSignal dispatchSignal) {
        this.dispatchSignal = dispatchSignal;
        this.parser = parser;
        this.intake = intake;
        this.json = json;
        this.webhooks = webhooks;
        this.lifecycle = lifecycle;
        this.retryPolicy = retryPolicy;
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
            if (callback.isObject() && callback.has(WEBHOOK)) {
                callbacks.set(name, checkWebhook(name, (ObjectNode) callback));
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
            if (callbacks.get(name).has(WEBHOOK)) {
                fired.put(name, submitDelivery(batch, keyId, name, callbacks.get(name).get(WEBHOOK).get("url")
                        .asText()));
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

    /**
     * A webhook callback, {@code {"webhook": {"url": "..."}}} and nothing else, as stored.
     *
     * @throws ProblemException 422 naming the callback and what is wrong with it
     */
    private ObjectNode checkWebhook(String name, ObjectNode callback) {
        for (Iterator<String> fields = callback.fieldNames(); fields.hasNext(); ) {
            String field = fields.next();
            if (!field.equals(WEBHOOK)) {
                throw ProblemException.unprocessable("'" + name + "' is either a job or a webhook: unknown field '"
                        + Echo.of(field) + "' beside 'webhook' (a webhook callback is {\"webhook\": {\"url\": "
                        + "\"https://...\"}})");
            }
        }
        JsonNode webhook = callback.get(WEBHOOK);
        if (!webhook.isObject()) {
            throw ProblemException.unprocessable("'" + name + "'.webhook must be an object, {\"url\": \"https://...\"}");
        }
        for (Iterator<String> fields = webhook.fieldNames(); fields.hasNext(); ) {
            String field = fields.next();
            if (!field.equals("url")) {
                throw ProblemException.unprocessable("unknown field '" + Echo.of(field) + "' of '" + name
                        + "'.webhook (allowed: url)");
            }
        }
        JsonNode url = webhook.get("url");
        if (url == null || !url.isTextual() || url.asText().isBlank()) {
            throw ProblemException.unprocessable("'" + name + "'.webhook.url is required: the http(s) URL the batch "
                    + "is posted to");
        }
        webhooks.urlProblem(url.asText()).ifPresent(problem -> {
            throw ProblemException.unprocessable("'" + name + "'.webhook.url " + problem);
        });
        ObjectNode stored = json.createObjectNode();
        stored.putObject(WEBHOOK).put("url", url.asText());
        return stored;
    }

    /**
     * The job that delivers a webhook callback, written in the caller's transaction under the callback's derived
     * idempotency key (a second close would find it rather than make another); its job_id.
     */
    private String submitDelivery(Batch batch, String keyId, String name, String url) {
        ObjectNode payload = json.createObjectNode().put("batch_id", batch.batchId()).put("callback", name)
                .put("url", url);
        String payloadJson = payload.toString();
        NewJob delivery = new NewJob(batch.tenantId(), BatchWebhookProcessor.TYPE, "callback", Priority.NORMAL,
                payloadJson, payloadJson.getBytes(StandardCharsets.UTF_8).length,
                "batch:" + batch.batchId() + ":" + name, null, batch.batchId(), null, null, null, null, null,
                retryPolicy.maxAttempts(BatchWebhookProcessor.TYPE), keyId, null, null, null);
        String jobId = lifecycle.submitAll(List.of(delivery)).get(0).job().jobId();
        // as a job callback's submit does; the dispatcher's next pass finds it in any case
        dispatchSignal.wake();
        return jobId;
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
