package dev.conveyor.intake;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.Percentiles;
import dev.conveyor.support.RunningServiceTest;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * GET /jobs/stats: a tenant's jobs over a window — counts by status and type of those submitted in it, and the
 * success rate and created → completed percentiles of those finished in it — next to GET /jobs/{job_id}, which
 * must not take "stats" for a job id.
 */
@ConveyorIntegrationTest
class JobStatsApiTest extends RunningServiceTest {

    static final String BAD_HEADER = "sku,title,cost,quantity\nA,B,1,2\n";

    String tenant;

    @BeforeEach
    void setUp() {
        tenant = "stats-" + Long.toHexString(System.nanoTime());
    }

    @Test
    void countsSuccessRateAndLatenciesOfTheTenantsJobsInTheWindow() {
        List<String> finished = List.of(
                api.submit(CsvJobs.inline(CsvJobs.CLEAN), "X-Tenant-Id", tenant),
                api.submit(CsvJobs.inline(CsvJobs.CLEAN), "X-Tenant-Id", tenant),
                api.submit(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS), "X-Tenant-Id", tenant),
                api.submit(CsvJobs.inline(BAD_HEADER), "X-Tenant-Id", tenant));
        String later = "{\"run_at\":\"" + Instant.now().plusSeconds(3600) + "\",";
        String waiting = api.submit(CsvJobs.inline(CsvJobs.CLEAN).replaceFirst("\\{", later), "X-Tenant-Id", tenant);
        finished.forEach(this::awaitFinished);

        HttpResponse<String> response = api.get("/jobs/stats", "X-Tenant-Id", tenant);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/json"));
        JsonNode stats = Api.json(response);
        assertThat(stats.get("tenant_id").asText()).isEqualTo(tenant);
        assertThat(stats.get("window").asText()).isEqualTo("1h");
        assertThat(Duration.between(Instant.parse(stats.get("from").asText()), Instant.parse(stats.get("to").asText())))
                .isEqualTo(Duration.ofHours(1));
        assertThat(stats.get("type").isNull()).isTrue();

        JsonNode submitted = stats.get("submitted");
        assertThat(submitted.get("total").asLong()).isEqualTo(5);
        assertThat(submitted.get("by_status").get("SUCCESS").asLong()).isEqualTo(2);
        assertThat(submitted.get("by_status").get("PARTIAL_SUCCESS").asLong()).isEqualTo(1);
        assertThat(submitted.get("by_status").get("FAILED").asLong()).isEqualTo(1);
        assertThat(submitted.get("by_status").get("QUEUED").asLong()).isEqualTo(1);
        assertThat(submitted.get("by_status").get("RUNNING").asLong()).as("every status is listed").isZero();
        JsonNode csvSubmitted = submitted.get("by_type").get("csv_validation");
        assertThat(csvSubmitted.get("total").asLong()).isEqualTo(5);
        assertThat(csvSubmitted.get("by_status").get("QUEUED").asLong()).isEqualTo(1);
        assertThat(submitted.get("by_type").size()).isEqualTo(1);

        JsonNode done = stats.get("finished");
        assertThat(done.get("total").asLong()).isEqualTo(4);
        assertThat(done.get("by_status").has("QUEUED")).as("only final statuses").isFalse();
        assertThat(done.get("by_status").get("CANCELLED").asLong()).isZero();
        assertThat(done.get("success_rate").asDouble()).isEqualTo(0.75);
        List<Double> latencies = latenciesMs(finished);
        JsonNode latency = done.get("latency_ms");
        assertThat(latency.get("p50").asDouble()).isCloseTo(Percentiles.continuous(latencies, 0.5), Offset.offset(1.0));
        assertThat(latency.get("p95").asDouble()).isCloseTo(Percentiles.continuous(latencies, 0.95), Offset.offset(1.0));
        assertThat(latency.get("p99").asDouble()).isCloseTo(Percentiles.continuous(latencies, 0.99), Offset.offset(1.0));
        JsonNode csvFinished = done.get("by_type").get("csv_validation");
        assertThat(csvFinished.get("total").asLong()).isEqualTo(4);
        assertThat(csvFinished.get("success_rate").asDouble()).isEqualTo(0.75);
        assertThat(csvFinished.get("latency_ms")).isEqualTo(latency);

        // the waiting job is cancelled: it counts as finished, but not in the success rate or the latencies
        assertThat(api.post("/jobs/" + waiting + "/cancel", null, java.net.http.HttpRequest.BodyPublishers.noBody(),
                "X-Tenant-Id", tenant).statusCode()).isEqualTo(202);
        JsonNode afterCancel = Api.json(api.get("/jobs/stats", "X-Tenant-Id", tenant)).get("finished");
        assertThat(afterCancel.get("total").asLong()).isEqualTo(5);
        assertThat(afterCancel.get("by_status").get("CANCELLED").asLong()).isEqualTo(1);
        assertThat(afterCancel.get("success_rate").asDouble()).isEqualTo(0.75);
        assertThat(afterCancel.get("latency_ms")).isEqualTo(latency);
    }

    @Test
    void theWindowTheTypeAndTheTenantChooseTheJobs() {
        String recent = api.submit(CsvJobs.inline(CsvJobs.CLEAN), "X-Tenant-Id", tenant);
        String old = api.submit(CsvJobs.inline(BAD_HEADER), "X-Tenant-Id", tenant);
        awaitFinished(recent);
        awaitFinished(old);
        // submitted and finished two hours ago: outside the default hour, inside a day
        jdbc.update("UPDATE jobs SET created_at = created_at - interval '2 hours', "
                + "started_at = started_at - interval '2 hours', completed_at = completed_at - interval '2 hours' "
                + "WHERE job_id = ?", old);

        JsonNode hour = stats("");
        assertThat(hour.get("submitted").get("total").asLong()).isEqualTo(1);
        assertThat(hour.get("finished").get("total").asLong()).isEqualTo(1);
        assertThat(hour.get("finished").get("success_rate").asDouble()).isEqualTo(1.0);
        assertThat(stats("?window=15m").get("finished").get("total").asLong()).isEqualTo(1);

        for (String window : List.of("24h", "7d", "PT3H")) {
            JsonNode wide = stats("?window=" + window);
            assertThat(wide.get("window").asText()).isEqualTo(window);
            assertThat(wide.get("submitted").get("total").asLong()).as(window).isEqualTo(2);
            assertThat(wide.get("finished").get("by_status").get("FAILED").asLong()).as(window).isEqualTo(1);
            assertThat(wide.get("finished").get("success_rate").asDouble()).as(window).isEqualTo(0.5);
        }

        assertThat(stats("?window=24h&type=csv_validation").get("submitted").get("total").asLong()).isEqualTo(2);
        JsonNode otherType = stats("?window=24h&type=enrich");
        assertThat(otherType.get("type").asText()).isEqualTo("enrich");
        assertThat(otherType.get("submitted").get("total").asLong()).isZero();
        assertThat(otherType.get("finished").get("success_rate").isNull()).isTrue();
        assertThat(otherType.get("finished").get("latency_ms").get("p50").isNull()).isTrue();

        JsonNode nobody = Api.json(api.get("/jobs/stats?window=24h", "X-Tenant-Id", tenant + "-other"));
        assertThat(nobody.get("submitted").get("total").asLong()).isZero();
        assertThat(nobody.get("finished").get("total").asLong()).isZero();
        assertThat(nobody.get("submitted").get("by_type").size()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "1w", "0m", "32d", "soon", "P1M"})
    void aBadWindowIsA400ProblemSayingWhatIsAccepted(String window) {
        HttpResponse<String> response = api.get("/jobs/stats?window=" + window, "X-Tenant-Id", tenant);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = Api.json(response);
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("title").asText()).isEqualTo("Bad Request");
        assertThat(problem.get("detail").asText()).contains("'window'").contains("'" + window + "'");
    }

    @Test
    void statsIsNotTakenForAJobIdAndJobsAreStillFoundByTheirs() {
        String jobId = api.submit(CsvJobs.inline(CsvJobs.CLEAN), "X-Tenant-Id", tenant);
        awaitFinished(jobId);

        JsonNode stats = Api.json(api.get("/jobs/stats", "X-Tenant-Id", tenant));
        assertThat(stats.has("submitted")).isTrue();
        assertThat(stats.has("job_id")).isFalse();

        HttpResponse<String> job = api.get("/jobs/" + jobId, "X-Tenant-Id", tenant);
        assertThat(job.statusCode()).isEqualTo(200);
        assertThat(Api.json(job).get("job_id").asText()).isEqualTo(jobId);
        assertThat(Api.json(job).has("submitted")).isFalse();
        assertThat(api.get("/jobs/" + jobId + "/events", "X-Tenant-Id", tenant).statusCode()).isEqualTo(200);
        HttpResponse<String> unknown = api.get("/jobs/job_00000000000000000000000000000000", "X-Tenant-Id", tenant);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    private JsonNode stats(String query) {
        HttpResponse<String> response = api.get("/jobs/stats" + query, "X-Tenant-Id", tenant);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Api.json(response);
    }

    /** Created → completed of these jobs, in milliseconds, from what GET /jobs/{job_id} says. */
    private List<Double> latenciesMs(List<String> jobIds) {
        return jobIds.stream().map(jobId -> {
            JsonNode job = Api.json(api.get("/jobs/" + jobId, "X-Tenant-Id", tenant));
            Duration latency = Duration.between(Instant.parse(job.get("created_at").asText()),
                    Instant.parse(job.get("completed_at").asText()));
            return latency.toNanos() / 1_000_000.0;
        }).toList();
    }

    private void awaitFinished(String jobId) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                Api.isFinal(Api.json(api.get("/jobs/" + jobId, "X-Tenant-Id", tenant)).get("status").asText()));
    }
}
