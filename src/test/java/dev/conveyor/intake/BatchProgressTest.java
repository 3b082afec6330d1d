package dev.conveyor.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.Batch;
import dev.conveyor.job.BatchStatus;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobStatus;
import dev.conveyor.support.JobRecords;
import org.junit.jupiter.api.Test;

/**
 * A running file batch's progress counts rows (docs/batches.md): the share of the file its validation has read and,
 * once its counts are known, the share of its valid rows its load has sent, weighed as rows_total + rows_valid.
 */
class BatchProgressTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOADED = "{\"load_to_warehouse\":true}";

    @Test
    void aFileIsHalfItsValidationUntilItsRowsAreCountedThenItsRowsReadAndLoaded() {
        // reading: 40% of the file read, its load still to come
        assertThat(progress(job("v1", "csv_validation", JobStatus.RUNNING, 40, LOADED, null, null))).isEqualTo(20);

        // validated: 1000 rows, 980 valid; no load yet: 1000 of 1980 rows done
        Job validated = job("v1", "csv_validation", JobStatus.PARTIAL_SUCCESS, 100, LOADED,
                "{\"total_rows\":1000,\"valid_rows\":980,\"error_rows\":20}", null);
        assertThat(progress(validated)).isEqualTo(50);
        // its load has sent half of the valid rows: 1000 + 490 of 1980
        assertThat(progress(validated, job("l1", "warehouse_load", JobStatus.RUNNING, 50, null, null, "v1")))
                .isEqualTo(75);
        // loaded, but the batch is not closed yet: below 100
        assertThat(progress(validated, job("l1", "warehouse_load", JobStatus.SUCCESS, 100, null, null, "v1")))
                .isEqualTo(99);
    }

    @Test
    void aReplayOfAFewRowsWeighsItsRowsBesideTheFileItFixes() {
        Job file = job("v1", "csv_validation", JobStatus.PARTIAL_SUCCESS, 100, LOADED,
                "{\"total_rows\":1000,\"valid_rows\":980,\"error_rows\":20}", null);
        Job load = job("l1", "warehouse_load", JobStatus.SUCCESS, 100, null, null, "v1");
        Job replay = job("v2", "csv_validation", JobStatus.SUCCESS, 100, LOADED,
                "{\"total_rows\":20,\"valid_rows\":20,\"error_rows\":0}", null);
        // the replay's 20 rows validated, none loaded yet: (1980 + 20) of (1980 + 40)
        assertThat(progress(file, load, replay)).isEqualTo(99);
        Job replayReading = job("v2", "csv_validation", JobStatus.RUNNING, 0, LOADED, null, null);
        // a file whose counts are not known weighs as much as the known ones on average: (1 + 0) / 2
        assertThat(progress(file, load, replayReading)).isEqualTo(50);
    }

    @Test
    void withoutAFileItIsTheMeanOfItsJobsAndAClosedBatchIs100() {
        Job running = job("j1", "test_flaky", JobStatus.RUNNING, 30, "{}", null, null);
        Job done = job("j2", "test_flaky", JobStatus.SUCCESS, 100, "{}", null, null);
        assertThat(progress(running, done)).isEqualTo(65);
        assertThat(BatchProgress.of(batch(BatchStatus.PARTIAL_SUCCESS), List.of(running), JSON)).isEqualTo(100);
    }

    private static int progress(Job... jobs) {
        return BatchProgress.of(batch(BatchStatus.RUNNING), List.of(jobs), JSON);
    }

    private static Batch batch(BatchStatus status) {
        return new Batch("bat_" + UUID.randomUUID().toString().replace("-", ""), "default", "inbox", "m/c/f.csv",
                status, Batch.RowCounts.NONE, null, null, false, null, null, Instant.now(), null);
    }

    /** A job with these fields, every other one empty (false, 0 or null). */
    private static Job job(String jobId, String type, JobStatus status, int progress, String payload, String result,
                           String parent) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("jobId", jobId);
        fields.put("type", type);
        fields.put("status", status);
        fields.put("progress", progress);
        fields.put("payloadJson", payload);
        fields.put("resultJson", result);
        fields.put("parentJobId", parent);
        return JobRecords.job(fields);
    }
}
