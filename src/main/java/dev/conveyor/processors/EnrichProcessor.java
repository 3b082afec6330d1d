package dev.conveyor.processors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobOutcome;
import dev.conveyor.job.JobStatus;
import dev.conveyor.worker.JobContext;
import dev.conveyor.worker.JobProcessor;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code enrich}: for each listed sku (or every warehouse row of the job's tenant, marketplace and category) asks the
 * enrichment service, through the rate-limited enrich-call route (the client holds the circuit breaker), and stores the answer
 * with the warehouse row — or in the job's result when there is no row yet.
 */
@Component
public class EnrichProcessor implements JobProcessor {

    public static final String TYPE = "enrich";
    private static final String CALL = "direct:enrich-call";

    private final ProducerTemplate producer;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public EnrichProcessor(ProducerTemplate producer, JdbcTemplate jdbc, ObjectMapper json) {
        this.producer = producer;
        this.jdbc = jdbc;
        this.json = json;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public JobOutcome process(JobContext context) throws Exception {
        Job job = context.job();
        List<String> skus = skus(job, context.payload());
        Map<String, Object> withoutRow = new LinkedHashMap<>();
        int stored = 0;
        for (int i = 0; i < skus.size(); i++) {
            String sku = skus.get(i);
            String answer = call(job, sku);
            // the job's tenant's row only: another tenant's listing of the same sku is not this job's to change
            int updated = jdbc.update("UPDATE warehouse_listings SET enrichment = CAST(? AS jsonb), updated_at = now() "
                    + "WHERE tenant_id = ? AND marketplace = ? AND sku = ?", answer, job.tenantId(), job.marketplace(),
                    sku);
            if (updated == 1) {
                stored++;
            } else {
                withoutRow.put(sku, json.readTree(answer));
            }
            context.progress().report((i + 1) * 100 / Math.max(1, skus.size()));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("skus", skus.size());
        result.put("stored_with_warehouse_row", stored);
        result.put("without_warehouse_row", withoutRow);
        return new JobOutcome(JobStatus.SUCCESS, result, null, null, Map.of("total_rows", skus.size()));
    }

    private String call(Job job, String sku) throws Exception {
        Exchange done = producer.request(CALL, exchange -> {
            exchange.getMessage().setHeader("marketplace", job.marketplace());
            exchange.getMessage().setHeader("category", job.category());
            exchange.getMessage().setHeader("sku", sku);
        });
        if (done.getException() != null) {
            throw done.getException();
        }
        String answer = done.getMessage().getBody(String.class);
        if (answer == null) {
            throw new IllegalStateException("the enrich-call route returned no answer for " + sku + " (headers "
                    + done.getMessage().getHeaders().keySet() + ", properties " + done.getProperties() + ")");
        }
        return answer;
    }

    private List<String> skus(Job job, JsonNode payload) {
        if (payload.has("skus")) {
            List<String> skus = new ArrayList<>();
            payload.get("skus").forEach(sku -> skus.add(sku.asText()));
            return skus;
        }
        return jdbc.queryForList("SELECT sku FROM warehouse_listings WHERE tenant_id = ? AND marketplace = ? "
                + "AND category = ? ORDER BY sku", String.class, job.tenantId(), job.marketplace(), job.category());
    }
}
