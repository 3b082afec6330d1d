package dev.conveyor.intake;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.Batch;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobStatus;
import dev.conveyor.processors.CsvValidationProcessor;
import dev.conveyor.processors.WarehouseLoadProcessor;

/**
 * A batch's {@code progress} (0-100; docs/batches.md). Closed: 100. Open, with files (its csv_validation jobs, a
 * replay's included), it is counted in rows: each file is the rows its validation has read of all its rows (its
 * progress, the share of the file read) and, when it is loaded, the rows its load has sent of its valid rows —
 * {@code (rows read + rows loaded) / (rows_total + rows_valid)}. Until its validation ends a file's row counts are
 * not known: it counts as if every row were valid (half of it is the validation), weighing as much as the files
 * whose counts are known on average. With no file, it is the mean of its jobs' progress (a final job is 100). An open
 * batch stays below 100: the last job of a chain may not exist yet. Public: the dashboard's batch page shows the
 * same number.
 */
public final class BatchProgress {

    private BatchProgress() {
    }

    public static int of(Batch batch, List<Job> ofBatch, ObjectMapper json) {
        if (batch.status().isFinal()) {
            return 100;
        }
        if (ofBatch.isEmpty()) {
            return 0;
        }
        Map<String, Job> loadOf = new HashMap<>();
        List<Job> validations = new ArrayList<>();
        for (Job job : ofBatch) {
            if (CsvValidationProcessor.TYPE.equals(job.type())) {
                validations.add(job);
            } else if (WarehouseLoadProcessor.TYPE.equals(job.type()) && job.parentJobId() != null) {
                loadOf.put(job.parentJobId(), job);
            }
        }
        if (validations.isEmpty()) {
            long sum = ofBatch.stream().mapToLong(job -> job.status().isTerminal() ? 100 : job.progress()).sum();
            return (int) Math.min(99, sum / ofBatch.size());
        }
        // per file: the share done (0-1) and its weight in rows, or -1 while its rows are not counted yet
        double[] done = new double[validations.size()];
        double[] weight = new double[validations.size()];
        double known = 0;
        int knownFiles = 0;
        for (int i = 0; i < validations.size(); i++) {
            Job validation = validations.get(i);
            JsonNode result = read(validation.resultJson(), json);
            boolean loads = read(validation.payloadJson(), json).path("load_to_warehouse").asBoolean(false);
            if (!validation.status().isTerminal() || !result.has("total_rows")) {
                double read = validation.status().isTerminal() ? 1 : validation.progress() / 100.0;
                done[i] = loads ? read / 2 : read;
                weight[i] = -1;
                continue;
            }
            long total = result.path("total_rows").asLong();
            long valid = result.path("valid_rows").asLong();
            Job load = loadOf.get(validation.jobId());
            boolean loadExpected = loads && valid > 0 && validation.status() != JobStatus.CANCELLED;
            double loaded = !loadExpected ? 0 : load == null ? 0
                    : load.status().isTerminal() ? valid : valid * load.progress() / 100.0;
            long rows = total + (loadExpected ? valid : 0);
            done[i] = rows == 0 ? 1 : (total + loaded) / rows;
            weight[i] = rows;
            known += rows;
            knownFiles++;
        }
        double unknownWeight = knownFiles == 0 ? 1 : known / knownFiles;
        double sum = 0;
        double weights = 0;
        for (int i = 0; i < done.length; i++) {
            double w = weight[i] < 0 ? unknownWeight : Math.max(weight[i], 1);
            sum += done[i] * w;
            weights += w;
        }
        return (int) Math.min(99, Math.floor(100 * sum / weights));
    }

    private static JsonNode read(String text, ObjectMapper json) {
        if (text == null) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored job document does not parse", e);
        }
    }
}
