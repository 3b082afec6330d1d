package dev.conveyor.intake;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobOutcome;
import dev.conveyor.processors.WebhookDelivery;
import dev.conveyor.processors.WebhookSignature;
import dev.conveyor.worker.JobContext;
import dev.conveyor.worker.JobProcessor;
import dev.conveyor.worker.PermanentJobException;
import org.springframework.stereotype.Component;

/**
 * {@code batch_webhook}: delivers a batch's webhook callback, a job the batch's closing made ({@link BatchCallbacks}),
 * so that the job system's retries with backoff, dead letters and replay are the delivery's. Each attempt POSTs the
 * batch document as {@code GET /batches/{batch_id}} renders it, signed ({@link WebhookSignature}), with the batch id
 * and the delivery id (this job's id, the same on every attempt, so a receiver can drop a repeat) in headers; what
 * the answer means is {@link WebhookDelivery}'s. An internal type: nobody submits one.
 */
@Component
public class BatchWebhookProcessor implements JobProcessor {

    public static final String TYPE = "batch_webhook";

    private final BatchDocuments batches;
    private final WebhookDelivery delivery;
    private final ObjectMapper json;
    private final Clock clock;

    public BatchWebhookProcessor(BatchDocuments batches, WebhookDelivery delivery, ObjectMapper json, Clock clock) {
        this.batches = batches;
        this.delivery = delivery;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean internal() {
        return true;
    }

    @Override
    public JobOutcome process(JobContext context) throws Exception {
        Job job = context.job();
        JsonNode payload = context.payload();
        String batchId = payload.get("batch_id").asText();
        String callback = payload.get("callback").asText();
        String url = payload.get("url").asText();
        Map<String, Object> document;
        try {
            document = batches.document(job.tenantId(), batchId);
        } catch (ProblemException e) {
            throw new PermanentJobException("the batch of this webhook is gone: " + e.getMessage());
        }
        byte[] body = json.writeValueAsBytes(document);
        String secret = delivery.secret();
        if (secret.isEmpty()) {
            throw new PermanentJobException("conveyor.batches.webhooks.secret (BATCH_WEBHOOK_SECRET) is not set: a "
                    + "delivery is never sent unsigned");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(WebhookSignature.HEADER, WebhookSignature.header(secret, clock.instant().getEpochSecond(), body));
        headers.put("Conveyor-Batch-Id", batchId);
        headers.put("Conveyor-Delivery-Id", job.jobId());
        headers.put("Conveyor-Callback", callback);
        headers.put("User-Agent", "Conveyor-Webhook");
        WebhookDelivery.Delivered delivered = delivery.post(url, body, headers);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("batch_id", batchId);
        result.put("callback", callback);
        result.put("url", url);
        result.put("http_status", delivered.status());
        result.put("delivery_id", job.jobId());
        result.put("attempt", job.attempts());
        return JobOutcome.success(result);
    }
}
