package dev.conveyor.job;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Job ids are version 7 UUIDs: made from the time, in order, unique; the human id keeps its one format. */
class JobIdsTest {

    @Test
    void aRowIdIsAVersion7UuidOfTheMillisecondItWasMade() {
        long before = System.currentTimeMillis();
        UUID id = JobIds.newRowId();
        long after = System.currentTimeMillis();

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, after);
    }

    @Test
    void idsMadeOneAfterAnotherSortInTheOrderTheyWereMadeEvenWithinOneMillisecond() {
        List<String> jobIds = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            jobIds.add(JobIds.of(JobIds.newRowId()));
        }

        assertThat(new HashSet<>(jobIds)).hasSize(jobIds.size());
        assertThat(jobIds).isSorted();
        // far more ids than milliseconds went by: many shared one, and still sort in order
        long millisecondsSpanned = (JobIds.newRowId().getMostSignificantBits() >>> 16)
                - (UUID.fromString(dashed(jobIds.get(0))).getMostSignificantBits() >>> 16) + 1;
        assertThat(millisecondsSpanned).isLessThan(jobIds.size());
    }

    @Test
    void aHumanIdIsJobAndThe32HexDigitsOfItsRowId() {
        UUID id = JobIds.newRowId();
        String jobId = JobIds.of(id);

        assertThat(jobId).isEqualTo("job_" + id.toString().replace("-", ""));
        assertThat(JobIds.isWellFormed(jobId)).isTrue();
        assertThat(JobIds.isWellFormed("job_" + id)).isFalse();
        assertThat(JobIds.isWellFormed(jobId.toUpperCase())).isFalse();
        assertThat(JobIds.isWellFormed(null)).isFalse();
    }

    private static String dashed(String jobId) {
        String hex = jobId.substring("job_".length());
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }
}
