package dev.conveyor.processors;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.BenchW0Jobs;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code conveyor.bench.noop-jobs} off, as it is by default, there is no {@code noop} type: intake refuses it as
 * it refuses any unknown type, and a noop row written behind intake's back does not run.
 */
@ConveyorIntegrationTest
class NoopJobsDisabledTest extends RunningServiceTest {

    @Test
    void noopIsRefusedExactlyLikeAnUnknownType() {
        HttpResponse<String> noop = api.postJson("/jobs", "{\"type\":\"noop\",\"payload\":{}}");
        HttpResponse<String> unknown = api.postJson("/jobs", "{\"type\":\"no_such_type\",\"payload\":{}}");

        assertThat(noop.statusCode()).isEqualTo(422).isEqualTo(unknown.statusCode());
        JsonNode problem = Api.json(noop);
        assertThat(problem.get("detail").asText()).startsWith("unknown job type 'noop'; known types: ")
                .doesNotContain(", noop");
        assertThat(problem.toString().replace("'noop'", "'no_such_type'"))
                .isEqualTo(Api.json(unknown).toString());
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE type = 'noop'", Long.class)).isZero();
    }

    @Test
    void noopIsRefusedInABatchToo() {
        HttpResponse<String> batch = api.postJson("/jobs/batch", "[{\"type\":\"noop\",\"payload\":{}}]");

        assertThat(batch.statusCode()).isEqualTo(422);
        assertThat(Api.json(batch).get("errors").get(0).get("errors").toString())
                .contains("unknown job type 'noop'");
    }

    @Test
    void aNoopRowWrittenWithSqlFailsForWantOfAProcessorInsteadOfRunning() {
        jdbc.execute(BenchW0Jobs.sql(1, "noop-off", properties.worker().maxAttempts(), 0));
        String jobId = jdbc.queryForObject("SELECT job_id FROM jobs WHERE correlation_id = 'noop-off'", String.class);

        JsonNode job = api.awaitFinished(jobId);

        assertThat(job.get("status").asText()).isEqualTo("FAILED");
        assertThat(job.get("error_message").asText()).isEqualTo("no processor for job type noop");
    }
}
