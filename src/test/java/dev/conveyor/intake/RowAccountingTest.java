package dev.conveyor.intake;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.Batch.RowCounts;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobStatus;
import dev.conveyor.support.JobRecords;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A finished batch's rows are counted from the top-level numbers of its jobs' results; what a result nests (a
 * validation's error samples, a load's details) is not counted, however it is named.
 */
class RowAccountingTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theTopLevelCountsAddUpAndNestedNumbersAreNotCounted() {
        Job validation = job("job_v", "csv_validation", JobStatus.PARTIAL_SUCCESS, null, """
                {"total_rows": 10, "errors": [{"row": 4, "total_rows": 999}], "valid_rows": 8,
                 "summary": {"error_rows": 7, "nested": {"valid_rows": 1}}, "error_rows": 2, "file": "a.csv"}""");
        Job load = job("job_l", "warehouse_load", JobStatus.SUCCESS, "job_v", """
                {"rows_received": 8, "distinct_skus": 8, "inserted": 5, "updated": 1, "unchanged": 2,
                 "details": {"inserted": 100}}""");

        RowAccounting.Outcome outcome = RowAccounting.of(List.of(validation, load), json);

        assertThat(outcome.rows()).isEqualTo(new RowCounts(10L, 8L, 2L, 6L, 2L));
        assertThat(outcome.mismatches()).isEmpty();
        assertThat(outcome.note()).isEqualTo("rows_total 10 = rows_valid 8 + rows_invalid 2; "
                + "rows_valid 8 = rows_loaded 6 + rows_unchanged 2");
    }

    @Test
    void rowsThatDoNotAddUpAreAMismatchNamingTheNumbers() {
        Job validation = job("job_v", "csv_validation", JobStatus.PARTIAL_SUCCESS, null,
                "{\"total_rows\": 10, \"valid_rows\": 8, \"error_rows\": 1}");

        RowAccounting.Outcome outcome = RowAccounting.of(List.of(validation), json);

        assertThat(outcome.mismatches()).containsExactly(
                "rows_total 10 != rows_valid 8 + rows_invalid 1 (1 rows counted as neither valid nor invalid)");
    }

    @Test
    void aResultWithoutTheCountsCountsNothing() {
        Job validation = job("job_v", "csv_validation", JobStatus.FAILED, null, "[1, 2, 3]");
        assertThat(RowAccounting.of(List.of(validation), json).rows()).isEqualTo(RowCounts.NONE);
    }

    @Test
    void aStoredResultThatDoesNotParseIsRefusedLoudly() {
        Job validation = job("job_v", "csv_validation", JobStatus.SUCCESS, null, "{\"total_rows\": 10,");
        assertThatThrownBy(() -> RowAccounting.of(List.of(validation), json))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not parse");
    }

    private static Job job(String jobId, String type, JobStatus status, String parent, String result) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("jobId", jobId);
        fields.put("type", type);
        fields.put("status", status);
        fields.put("parentJobId", parent);
        fields.put("resultJson", result);
        return JobRecords.job(fields);
    }
}
