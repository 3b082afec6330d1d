package dev.conveyor.ui;

import dev.conveyor.job.JobStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JobLinksTest {

    @Test
    void theNextPageKeepsTheFiltersEncoded() {
        assertThat(JobLinks.list(JobStatus.FAILED, "csv_validation", "nightly run&x", "job_0a"))
                .isEqualTo("/ui/jobs?status=FAILED&type=csv_validation&correlation_id=nightly+run%26x&after=job_0a");
    }

    @Test
    void withoutFiltersItIsTheBareList() {
        assertThat(JobLinks.list(null, null, null, null)).isEqualTo("/ui/jobs");
    }
}
