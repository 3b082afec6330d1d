package dev.conveyor.intake;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.MutableClock;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unique jobs: a submission with a unique key another job of the tenant holds is refused with 409 and that job's
 * id — while it is active (while_active, the default) or within its unique_for period — and accepted once the key
 * is free; exactly one of concurrent submits of a key gets in; a batch with a held key creates nothing.
 */
@ConveyorIntegrationTest
class UniqueJobsTest extends RunningServiceTest {

    @Autowired
    MutableClock clock;

    String key;

    @BeforeEach
    void setUp() {
        key = "nightly-" + UUID.randomUUID();
    }

    @Test
    void aWhileActiveKeyIsRefusedWhileItsJobWaitsAndAcceptedOnceItHasFinished() {
        // due in 30 s by the service's clock: QUEUED until the test moves the clock there
        String first = api.submit(job(key, null, clock.instant().plusSeconds(30).truncatedTo(ChronoUnit.SECONDS)
                .toString()));

        HttpResponse<String> second = api.postJson("/jobs", job(key, null, null));

        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(second.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(Api.json(second).get("job_id").asText()).isEqualTo(first);
        assertThat(Api.json(second).get("detail").asText()).contains("is held by " + first);
        assertThat(jobsWithKey(key)).isEqualTo(1);

        clock.advance(Duration.ofSeconds(31));
        assertThat(api.awaitFinished(first).get("status").asText()).isEqualTo("SUCCESS");

        String third = api.submit(job(key, null, null));
        assertThat(third).isNotEqualTo(first);
        assertThat(jobsWithKey(key)).isEqualTo(2);
    }

    @Test
    void aPeriodKeyIsRefusedWithinItsPeriodEvenAfterItsJobFinished() {
        String first = api.submit(job(key, "PT20S", null));
        JsonNode finished = api.awaitFinished(first);
        assertThat(finished.get("unique_key").asText()).isEqualTo(key);
        assertThat(java.time.Duration.between(java.time.Instant.parse(finished.get("created_at").asText()),
                java.time.Instant.parse(finished.get("unique_until").asText())).toSeconds()).isBetween(19L, 21L);

        HttpResponse<String> within = api.postJson("/jobs", job(key, "PT20S", null));
        assertThat(within.statusCode()).isEqualTo(409);
        assertThat(Api.json(within).get("job_id").asText()).isEqualTo(first);
        // a while_active submission is refused too: the key is held, whatever the scope the newcomer asks for
        assertThat(api.postJson("/jobs", job(key, null, null)).statusCode()).isEqualTo(409);

        clock.advance(Duration.ofSeconds(21));

        assertThat(api.postJson("/jobs", job(key, "PT20S", null)).statusCode()).isEqualTo(202);
        assertThat(jobsWithKey(key)).isEqualTo(2);
    }

    @Test
    void ofConcurrentSubmitsOfOneKeyExactlyOneIsAccepted() throws Exception {
        for (String uniqueFor : new String[] {null, "PT1H"}) {
            String k = key + "-" + uniqueFor;
            String body = job(k, uniqueFor, clock.instant().plusSeconds(50).truncatedTo(ChronoUnit.SECONDS).toString());
            int callers = 12;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(callers);
            try {
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    answers.add(pool.submit((Callable<HttpResponse<String>>) () -> {
                        start.await();
                        return api.postJson("/jobs", body);
                    }));
                }
                start.countDown();
                List<String> accepted = new ArrayList<>();
                List<String> heldBy = new ArrayList<>();
                for (Future<HttpResponse<String>> answer : answers) {
                    HttpResponse<String> response = answer.get();
                    assertThat(response.statusCode()).as(response.body()).isIn(202, 409);
                    (response.statusCode() == 202 ? accepted : heldBy).add(Api.json(response).get("job_id").asText());
                }
                assertThat(accepted).as("scope " + uniqueFor).hasSize(1);
                assertThat(heldBy).hasSize(callers - 1).containsOnly(accepted.get(0));
                assertThat(jobsWithKey(k)).isEqualTo(1);
                api.postJson("/jobs/" + accepted.get(0) + "/cancel", "");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aBatchWithAnItemWhoseKeyIsHeldIsRefusedWholeListingThatItem() {
        String holder = api.submit(job(key, null, clock.instant().plusSeconds(50).truncatedTo(ChronoUnit.SECONDS)
                .toString()));
        String other = key + "-free";

        HttpResponse<String> batch = api.postJson("/jobs/batch", "[" + job(other, null, null) + ","
                + job(key, null, null) + "]");

        assertThat(batch.statusCode()).isEqualTo(409);
        JsonNode errors = Api.json(batch).get("errors");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("index").asInt()).isEqualTo(1);
        assertThat(errors.get(0).get("job_id").asText()).isEqualTo(holder);
        assertThat(jobsWithKey(other)).as("the batch is all or nothing").isZero();

        HttpResponse<String> twice = api.postJson("/jobs/batch", "[" + job(other, null, null) + ","
                + job(other, "PT1M", null) + "]");
        assertThat(twice.statusCode()).isEqualTo(422);
        assertThat(Api.json(twice).get("errors").get(0).get("index").asInt()).isEqualTo(1);
        assertThat(jobsWithKey(other)).isZero();
        api.postJson("/jobs/" + holder + "/cancel", "");
    }

    @Test
    void anIdempotentReplayOfAUniqueJobAnswersItsJobInsteadOfRefusingIt() {
        String body = job(key, null, clock.instant().plusSeconds(50).truncatedTo(ChronoUnit.SECONDS).toString());
        String first = api.submit(body, "Idempotency-Key", key);

        HttpResponse<String> replay = api.postJson("/jobs", body, "Idempotency-Key", key);

        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(Api.json(replay).get("job_id").asText()).isEqualTo(first);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        api.postJson("/jobs/" + first + "/cancel", "");
    }

    @Test
    void aFailedJobIsNotRetriedWhileAnotherActiveJobHoldsItsKey() {
        String failed = api.submit("{\"type\":\"test_flaky\",\"unique_key\":\"" + key + "\",\"correlation_id\":\""
                + key + "\",\"payload\":{\"mode\":\"permanent\"}}");
        assertThat(api.awaitFinished(failed).get("status").asText()).isEqualTo("FAILED");
        String holder = api.submit(job(key, null, clock.instant().plusSeconds(50).truncatedTo(ChronoUnit.SECONDS)
                .toString()));

        HttpResponse<String> retry = api.postJson("/jobs/" + failed + "/retry", "");
        HttpResponse<String> bulk = api.postJson("/jobs/retry?correlation_id=" + key, "");

        assertThat(retry.statusCode()).isEqualTo(409);
        assertThat(Api.json(retry).get("detail").asText()).contains("another active job holds its unique key");
        assertThat(Api.json(bulk).get("affected").asInt()).isZero();
        assertThat(api.job(failed).get("status").asText()).isEqualTo("FAILED");

        api.postJson("/jobs/" + holder + "/cancel", "");
        assertThat(Api.json(api.postJson("/jobs/retry?correlation_id=" + key, "")).get("affected").asInt())
                .as("the key is free once its holder has finished").isEqualTo(1);
        api.awaitFinished(failed);
    }

    @Test
    void aBadPeriodOrAPeriodWithoutAKeyIs422() {
        HttpResponse<String> bad = api.postJson("/jobs", job(key, "an hour", null));
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(Api.json(bad).get("detail").asText()).contains("'unique_for' must be an ISO-8601 duration");

        HttpResponse<String> alone = api.postJson("/jobs", CsvJobs.inline(CsvJobs.CLEAN)
                .replaceFirst("\\{", "{\"unique_for\":\"PT1H\","));
        assertThat(alone.statusCode()).isEqualTo(422);
        assertThat(Api.json(alone).get("detail").asText()).contains("'unique_for' needs a 'unique_key'");
        assertThat(jobsWithKey(key)).isZero();
    }

    private static String job(String uniqueKey, String uniqueFor, String runAt) {
        StringBuilder fields = new StringBuilder("{\"unique_key\":\"" + uniqueKey + "\",");
        if (uniqueFor != null) {
            fields.append("\"unique_for\":\"").append(uniqueFor).append("\",");
        }
        if (runAt != null) {
            fields.append("\"run_at\":\"").append(runAt).append("\",");
        }
        return CsvJobs.inline(CsvJobs.CLEAN).replaceFirst("\\{", fields.toString());
    }

    private int jobsWithKey(String uniqueKey) {
        return jdbc.queryForObject("SELECT count(*) FROM jobs WHERE unique_key = ?", Integer.class, uniqueKey);
    }
}
