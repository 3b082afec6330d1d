package dev.conveyor.intake;

import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.MutableClock;
import dev.conveyor.support.RouteSignals;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** Delayed jobs: {@code delay} (an ISO-8601 duration) or {@code run_at} on POST /jobs and POST /jobs/batch. */
@ConveyorIntegrationTest
class DelayedJobsTest extends RunningServiceTest {

    @Autowired
    MutableClock clock;

    @Autowired
    CamelContext camel;

    @Test
    void aDelayedJobIsNotClaimedBeforeItIsDue() {
        // 40 s: within a lease (60 s), so moving the shared service's clock there leaves its leases alone
        Instant before = clock.instant();
        NotifyBuilder passWhileWaiting = RouteSignals.dispatcherPassAfterNow(camel);
        String jobId = api.submit(withField(CsvJobs.inline("delayed", "toys", CsvJobs.CLEAN), "delay", "PT40S"));
        Instant runAt = runAt(jobId);
        assertThat(runAt).as("due 40 s after intake, by the service's clock")
                .isBetween(before.plusSeconds(40), clock.instant().plusSeconds(40));

        assertThat(passWhileWaiting.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(api.job(jobId).get("status").asText()).isEqualTo("QUEUED");
        assertThat(jdbc.queryForObject("SELECT dispatched_at IS NULL FROM jobs WHERE job_id = ?", Boolean.class,
                jobId)).as("not taken for a lane").isTrue();

        clock.advance(Duration.between(clock.instant(), runAt).plusMillis(100));
        assertThat(api.awaitFinished(jobId).get("status").asText()).isEqualTo("SUCCESS");
        Instant dispatched = jdbc.queryForObject("SELECT dispatched_at FROM jobs WHERE job_id = ?", Timestamp.class,
                jobId).toInstant();
        assertThat(dispatched).isAfterOrEqualTo(runAt);
    }

    @Test
    void aBatchTakesDelayAndRunAtPerItem() {
        Instant at = Instant.parse("2030-01-01T00:00:00Z");
        String batch = "[" + withField(CsvJobs.inline("delayed", "toys", CsvJobs.CLEAN), "delay", "PT1H") + ","
                + withField(CsvJobs.inline("delayed", "toys", CsvJobs.CLEAN), "run_at", at.toString()) + "]";
        Instant before = clock.instant();
        HttpResponse<String> accepted = api.postJson("/jobs/batch", batch);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode jobs = Api.json(accepted).get("jobs");
        assertThat(runAt(jobs.get(0).get("job_id").asText())).isBetween(before.plus(Duration.ofHours(1)),
                clock.instant().plus(Duration.ofHours(1)));
        assertThat(runAt(jobs.get(1).get("job_id").asText())).isEqualTo(at);
    }

    @Test
    void aReplayWithTheSameDelayIsTheSameJob() {
        String body = withField(withField(CsvJobs.inline("delayed", "toys", CsvJobs.CLEAN), "delay", "PT1H"),
                "idempotency_key", "delayed-" + System.nanoTime());
        HttpResponse<String> first = api.postJson("/jobs", body);
        HttpResponse<String> again = api.postJson("/jobs", body);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(Api.json(again).get("job_id").asText()).isEqualTo(Api.json(first).get("job_id").asText());
    }

    @Test
    void bothRunAtAndDelayOrANegativeOrUnreadableDelayIsRefused() {
        String both = withField(withField(CsvJobs.inline(CsvJobs.CLEAN), "delay", "PT1M"), "run_at",
                "2030-01-01T00:00:00Z");
        HttpResponse<String> refused = api.postJson("/jobs", both);
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(Api.json(refused).get("detail").asText()).contains("either 'run_at' or 'delay', not both");

        HttpResponse<String> negative = api.postJson("/jobs", withField(CsvJobs.inline(CsvJobs.CLEAN), "delay",
                "-PT5M"));
        assertThat(negative.statusCode()).isEqualTo(422);
        assertThat(Api.json(negative).get("detail").asText()).contains("'delay' must not be negative");

        HttpResponse<String> unreadable = api.postJson("/jobs", withField(CsvJobs.inline(CsvJobs.CLEAN), "delay",
                "10 minutes"));
        assertThat(unreadable.statusCode()).isEqualTo(422);
        assertThat(Api.json(unreadable).get("detail").asText()).contains("'delay' must be an ISO-8601 duration");

        HttpResponse<String> inBatch = api.postJson("/jobs/batch", "[" + CsvJobs.inline(CsvJobs.CLEAN) + "," + both
                + "]");
        assertThat(inBatch.statusCode()).isEqualTo(422);
        assertThat(inBatch.body()).contains("\"index\":1").contains("not both");
    }

    private Instant runAt(String jobId) {
        return jdbc.queryForObject("SELECT run_at FROM jobs WHERE job_id = ?", Timestamp.class, jobId).toInstant();
    }

    private static String withField(String json, String field, String value) {
        return json.replaceFirst("\\{", "{\"" + field + "\":\"" + value + "\",");
    }
}
