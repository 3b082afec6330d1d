package dev.conveyor.intake;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.StringJoiner;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.MutableClock;
import dev.conveyor.worker.FlakyProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bulk actions by filter: POST /jobs/retry, POST /jobs/cancel (the filters of GET /jobs) and POST
 * /dead-letters/replay (type, since, until) change every matching job of the caller's tenant, with an event each,
 * answer how many, change nothing more when repeated, refuse to run with no filter unless all=true, and are for
 * operators. Each test works in a tenant of its own, so that what it counts is only its own jobs.
 */
@ConveyorIntegrationTest
class BulkActionsTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    MutableClock clock;

    Api admin;
    Api operator;
    String tenant;

    @BeforeEach
    void setUp() {
        admin = new Api(port);
        tenant = "bulk-" + UUID.randomUUID().toString().substring(0, 8);
        operator = admin.as(admin.newKey(tenant, "operator"));
        FlakyProcessor.HEALTHY.set(false);
    }

    @AfterEach
    void healthyAgain() {
        FlakyProcessor.HEALTHY.set(false);
    }

    @Test
    void aThousandFailedJobsAreRetriedByOneCallAndRunAgainAndARepeatRetriesNothing() {
        for (int batch = 0; batch < 2; batch++) {
            StringJoiner items = new StringJoiner(",", "[", "]");
            for (int i = 0; i < 500; i++) {
                items.add(flaky("permanent", "load-7"));
            }
            assertThat(operator.postJson("/jobs/batch", items.toString()).statusCode()).isEqualTo(202);
        }
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> count("status = 'FAILED'") == 1000);

        FlakyProcessor.HEALTHY.set(true);
        HttpResponse<String> retried = operator.post("/jobs/retry?status=FAILED&correlation_id=load-7", null,
                HttpRequest.BodyPublishers.noBody());

        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
        assertThat(Api.json(retried).get("affected").asInt()).isEqualTo(1000);
        assertThat(count("status = 'FAILED'")).isZero();
        HttpResponse<String> again = operator.post("/jobs/retry?status=FAILED&correlation_id=load-7", null,
                HttpRequest.BodyPublishers.noBody());
        assertThat(Api.json(again).get("affected").asInt()).isZero();

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> count("status = 'SUCCESS'") == 1000);
        // each job: queued when submitted, queued again by the retry
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM job_events e JOIN jobs j USING (job_id)
                WHERE j.tenant_id = ? AND e.event_type = 'job.queued'
                """, Integer.class, tenant)).isEqualTo(2000);
        assertThat(count("attempts = 1")).as("attempts counted afresh").isEqualTo(1000);
    }

    @Test
    void aCancelByFilterCancelsTheWaitingAsksTheRunningToStopAndLeavesTheRestAlone() {
        String later = clock.instant().plusSeconds(50).truncatedTo(ChronoUnit.SECONDS).toString();
        for (int i = 0; i < 5; i++) {
            operator.submit(delayed("nightly", later));
        }
        String other = operator.submit(delayed("hourly", later));
        String running = operator.submit(flaky("slow", "nightly"));
        await().atMost(Duration.ofSeconds(10)).until(() -> operator.job(running).get("status").asText()
                .equals("RUNNING"));

        HttpResponse<String> cancelled = operator.post("/jobs/cancel?correlation_id=nightly", null,
                HttpRequest.BodyPublishers.noBody());

        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        JsonNode body = Api.json(cancelled);
        assertThat(body.get("affected").asInt()).isEqualTo(6);
        assertThat(body.get("cancelled").asInt()).isEqualTo(5);
        assertThat(body.get("cancel_requested").asInt()).isEqualTo(1);
        assertThat(operator.awaitFinished(running).get("status").asText()).isEqualTo("CANCELLED");
        assertThat(count("status = 'CANCELLED' AND correlation_id = 'nightly'")).isEqualTo(6);
        assertThat(operator.job(other).get("status").asText()).isEqualTo("QUEUED");
        assertThat(jdbc.queryForObject("""
                SELECT count(*) FROM job_events e JOIN jobs j USING (job_id)
                WHERE j.tenant_id = ? AND e.event_type = 'job.cancelled'
                """, Integer.class, tenant)).isEqualTo(6);

        HttpResponse<String> again = operator.post("/jobs/cancel?correlation_id=nightly", null,
                HttpRequest.BodyPublishers.noBody());
        assertThat(Api.json(again).get("affected").asInt()).isZero();
        HttpResponse<String> wrongStatus = operator.post("/jobs/cancel?status=SUCCESS", null,
                HttpRequest.BodyPublishers.noBody());
        assertThat(wrongStatus.statusCode()).isEqualTo(422);
        assertThat(Api.json(wrongStatus).get("detail").asText()).contains("status SUCCESS names no job");
    }

    @Test
    void aBulkActionWithNoFilterIsRefusedUnlessItSaysAllAndThenTakesOnlyTheTenantsJobs() {
        String later = clock.instant().plusSeconds(50).truncatedTo(ChronoUnit.SECONDS).toString();
        operator.submit(delayed("a", later));
        operator.submit(delayed("b", later));
        String elsewhere = admin.submit(delayed("a", later));

        HttpResponse<String> refused = operator.post("/jobs/cancel", null, HttpRequest.BodyPublishers.noBody());
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(Api.json(refused).get("detail").asText()).contains("without a filter").contains("all=true");
        assertThat(operator.post("/jobs/retry", null, HttpRequest.BodyPublishers.noBody()).statusCode())
                .isEqualTo(422);
        assertThat(operator.post("/dead-letters/replay", null, HttpRequest.BodyPublishers.noBody()).statusCode())
                .isEqualTo(422);
        assertThat(count("status = 'QUEUED'")).isEqualTo(2);

        HttpResponse<String> all = operator.post("/jobs/cancel?all=true", null, HttpRequest.BodyPublishers.noBody());

        assertThat(Api.json(all).get("affected").asInt()).isEqualTo(2);
        assertThat(admin.job(elsewhere).get("status").asText()).as("another tenant's job").isEqualTo("QUEUED");
        admin.post("/jobs/" + elsewhere + "/cancel", null, HttpRequest.BodyPublishers.noBody());
    }

    @Test
    void theCreatedRangeFiltersTheListingAndTheBulkActionAlike() {
        String later = clock.instant().plusSeconds(50).truncatedTo(ChronoUnit.SECONDS).toString();
        // created_at is the database's time; the same host's clock, with a second of margin either side
        String before = java.time.Instant.now().minusSeconds(1).toString();
        operator.submit(delayed("range", later));
        operator.submit(delayed("range", later));
        String after = java.time.Instant.now().plusSeconds(1).toString();

        assertThat(Api.json(operator.get("/jobs?created_after=" + before + "&created_before=" + after))
                .get("jobs")).hasSize(2);
        assertThat(Api.json(operator.get("/jobs?created_after=" + after)).get("jobs")).isEmpty();
        assertThat(Api.json(operator.post("/jobs/cancel?created_before=" + before, null,
                HttpRequest.BodyPublishers.noBody())).get("affected").asInt()).isZero();

        HttpResponse<String> cancelled = operator.post("/jobs/cancel?created_after=" + before + "&created_before="
                + after, null, HttpRequest.BodyPublishers.noBody());

        assertThat(Api.json(cancelled).get("affected").asInt()).isEqualTo(2);
        assertThat(operator.post("/jobs/cancel?created_after=yesterday", null, HttpRequest.BodyPublishers.noBody())
                .statusCode()).isEqualTo(400);
    }

    @Test
    void aReplayByTypeRequeuesOnlyThatTypesDeadLettersAndCountsTheReplay() {
        for (int i = 0; i < 3; i++) {
            operator.submit(flakyOf("test_flaky", "transient", "dl"));
        }
        String limited = operator.submit(flakyOf("test_flaky_limited", "transient", "dl"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> count("status = 'DEAD_LETTERED'") == 4);

        FlakyProcessor.HEALTHY.set(true);
        HttpResponse<String> replayed = operator.post("/dead-letters/replay?type=test_flaky", null,
                HttpRequest.BodyPublishers.noBody());

        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
        assertThat(Api.json(replayed).get("affected").asInt()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(30)).until(() -> count("status = 'SUCCESS'") == 3);
        assertThat(operator.job(limited).get("status").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(jdbc.queryForObject("SELECT sum(replay_count) FROM dead_letters WHERE tenant_id = ?",
                Integer.class, tenant)).isEqualTo(3);
        assertThat(Api.json(operator.post("/dead-letters/replay?type=test_flaky", null,
                HttpRequest.BodyPublishers.noBody())).get("affected").asInt()).isZero();
    }

    @Test
    void readersAndSubmittersMayNotRunABulkActionAndAnotherTenantsJobsAreNotTouched() {
        String later = clock.instant().plusSeconds(50).truncatedTo(ChronoUnit.SECONDS).toString();
        String job = operator.submit(delayed("mine", later));
        Api reader = admin.as(admin.newKey(tenant, "reader"));
        Api submitter = admin.as(admin.newKey(tenant, "submitter"));

        for (Api refused : new Api[] {reader, submitter}) {
            for (String path : new String[] {"/jobs/cancel?correlation_id=mine", "/jobs/retry?type=csv_validation",
                    "/dead-letters/replay?type=test_flaky"}) {
                HttpResponse<String> answer = refused.post(path, null, HttpRequest.BodyPublishers.noBody());
                assertThat(answer.statusCode()).as(path).isEqualTo(403);
            }
        }
        Api stranger = admin.as(admin.newKey(tenant + "-other", "operator"));
        assertThat(Api.json(stranger.post("/jobs/cancel?correlation_id=mine", null,
                HttpRequest.BodyPublishers.noBody())).get("affected").asInt()).isZero();
        assertThat(operator.job(job).get("status").asText()).isEqualTo("QUEUED");
        operator.post("/jobs/" + job + "/cancel", null, HttpRequest.BodyPublishers.noBody());
    }

    private static String flaky(String mode, String correlationId) {
        return flakyOf("test_flaky", mode, correlationId);
    }

    private static String flakyOf(String type, String mode, String correlationId) {
        return "{\"type\":\"" + type + "\",\"correlation_id\":\"" + correlationId + "\",\"payload\":{\"mode\":\""
                + mode + "\"}}";
    }

    /** A job that waits, QUEUED, until {@code runAt}. */
    private static String delayed(String correlationId, String runAt) {
        return "{\"type\":\"test_flaky\",\"correlation_id\":\"" + correlationId + "\",\"run_at\":\"" + runAt
                + "\",\"payload\":{\"mode\":\"permanent\"}}";
    }

    private int count(String condition) {
        return jdbc.queryForObject("SELECT count(*) FROM jobs WHERE tenant_id = ? AND " + condition, Integer.class,
                tenant);
    }
}
