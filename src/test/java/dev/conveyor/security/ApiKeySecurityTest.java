package dev.conveyor.security;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.TestKeys;
import dev.conveyor.worker.FlakyProcessor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API as an attacker meets it on a default start: no key, a wrong or revoked key, a key of too small a role,
 * a key of another tenant (through every endpoint that names a job), the tenant named in a header or a query
 * parameter, and the small leaks (media types, echoed values, NUL, stack traces, report headers). Real HTTP, real
 * PostgreSQL; every key is made through POST /admin/api-keys as an admin would.
 */
@Tag("slow") // a Spring context of its own (one attempt per job)
@ConveyorIntegrationTest
@TestPropertySource(properties = {
        "conveyor.retry.backoff-initial=50ms",
        "conveyor.retry.backoff-max=100ms",
        "conveyor.worker.max-attempts=1"})
class ApiKeySecurityTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    Api admin;
    Api anonymous;

    @BeforeEach
    void setUp() {
        admin = new Api(port);
        anonymous = new Api(port, null);
    }

    String key(String tenant, String role) {
        return admin.newKey(tenant, role);
    }

    static void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/problem+json"));
        assertThat(Api.json(response).get("status").asInt()).isEqualTo(status);
        assertThat(Api.json(response).get("detail").asText()).isNotBlank();
    }

    @Test
    void withoutAKeyOnlyTheHealthProbesAnswer() {
        String jobId = admin.submit(CsvJobs.inline(CsvJobs.CLEAN));
        HttpRequest.BodyPublisher none = HttpRequest.BodyPublishers.noBody();
        List<HttpResponse<String>> refused = List.of(
                anonymous.get("/jobs"),
                anonymous.get("/jobs/" + jobId),
                anonymous.get("/jobs/" + jobId + "/events"),
                anonymous.get("/jobs/" + jobId + "/report"),
                anonymous.get("/jobs/stats"),
                anonymous.get("/dead-letters"),
                anonymous.postJson("/jobs", CsvJobs.inline(CsvJobs.CLEAN)),
                anonymous.post("/jobs/csv?marketplace=acme_shop&category=shoes", "text/csv",
                        HttpRequest.BodyPublishers.ofString(CsvJobs.CLEAN)),
                anonymous.post("/jobs/" + jobId + "/cancel", null, none),
                anonymous.post("/jobs/" + jobId + "/retry", null, none),
                anonymous.post("/dead-letters/1/replay", null, none),
                // bulk actions, batches, schedules, pauses: every operation added since is behind a key too
                anonymous.postJson("/jobs/batch", "[" + CsvJobs.inline(CsvJobs.CLEAN) + "]"),
                anonymous.post("/jobs/retry?all=true", null, none),
                anonymous.post("/jobs/cancel?all=true", null, none),
                anonymous.post("/dead-letters/replay?all=true", null, none),
                anonymous.get("/batches"),
                anonymous.get("/batches/bat_00000000000000000000000000000000"),
                anonymous.post("/batches/bat_00000000000000000000000000000000/cancel", null, none),
                anonymous.post("/batches/bat_00000000000000000000000000000000/replay-invalid", null, none),
                anonymous.get("/schedules"),
                anonymous.get("/schedules/nightly"),
                anonymous.send("PUT", "/schedules/nightly", HttpRequest.BodyPublishers.ofString(
                        "{\"cron\":\"@daily\",\"job\":" + CsvJobs.inline(CsvJobs.CLEAN) + "}"),
                        "Content-Type", "application/json"),
                anonymous.delete("/schedules/nightly"),
                anonymous.post("/schedules/nightly/trigger", null, none),
                anonymous.get("/lanes"),
                anonymous.get("/types"),
                anonymous.post("/lanes/bulk/pause", null, none),
                anonymous.post("/types/enrich/pause", null, none),
                anonymous.get("/admin/api-keys"),
                anonymous.postJson("/admin/api-keys", "{\"name\":\"x\",\"tenant_id\":\"default\",\"role\":\"admin\"}"),
                anonymous.delete("/admin/api-keys/" + ApiKeys.BOOTSTRAP_KEY_ID),
                anonymous.get("/actuator/health"),
                anonymous.get("/actuator/prometheus"),
                anonymous.get("/actuator/metrics"),
                anonymous.get("/actuator/camelroutes"),
                anonymous.get("/actuator/env"),
                anonymous.get("/no-such-path"));
        refused.forEach(response -> {
            assertProblem(response, 401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        });

        for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
            HttpResponse<String> answer = anonymous.get(probe);
            assertThat(answer.statusCode()).as(probe + ": " + answer.body()).isIn(200, 503);
            assertThat(Api.json(answer).has("components")).as("no details for strangers").isFalse();
        }
        assertThat(admin.job(jobId).get("status").asText()).as("nothing was cancelled or retried")
                .isNotEqualTo("CANCELLED");
    }

    @Test
    void aWrongOrRevokedKeyIsRefusedAndARevocationTakesEffectAtOnce() {
        assertProblem(anonymous.get("/jobs", "Authorization", "Bearer cvk_not-a-key-at-all-0123456789abcdefgh"), 401);
        assertProblem(anonymous.get("/jobs", "Authorization", "Basic YWRtaW46YWRtaW4="), 401);
        assertProblem(anonymous.get("/jobs?access_token=" + TestKeys.ADMIN), 401);

        HttpResponse<String> made = admin.postJson("/admin/api-keys",
                "{\"name\":\"leaving\",\"tenant_id\":\"default\",\"role\":\"reader\"}");
        String keyId = Api.json(made).get("key_id").asText();
        Api leaving = admin.as(Api.json(made).get("key").asText());
        assertThat(leaving.get("/jobs").statusCode()).isEqualTo(200);

        HttpResponse<String> revoked = admin.delete("/admin/api-keys/" + keyId);
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(Api.json(revoked).get("revoked_at").isNull()).isFalse();

        HttpResponse<String> after = leaving.get("/jobs");
        assertProblem(after, 401);
        assertThat(after.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(value ->
                assertThat(value).contains("invalid_token"));
        assertProblem(admin.delete("/admin/api-keys/key_0000000000000000"), 404);
    }

    @Test
    void eachRoleDoesWhatItMayAndIsRefusedTheRestWith403() {
        Api reader = admin.as(key("default", "reader"));
        Api submitter = admin.as(key("default", "submitter"));
        Api operator = admin.as(key("default", "operator"));
        HttpRequest.BodyPublisher none = HttpRequest.BodyPublishers.noBody();

        assertThat(reader.get("/jobs").statusCode()).isEqualTo(200);
        assertThat(reader.get("/jobs/stats").statusCode()).isEqualTo(200);
        // a reader may read the health, whole: 200 once the service is ready (the inbox's consumer reports DOWN
        // until its first poll, a moment after the start, and the health answers 503 till then)
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpResponse<String> health = reader.get("/actuator/health");
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        });
        assertProblem(reader.postJson("/jobs", CsvJobs.inline(CsvJobs.CLEAN)), 403);

        String jobId = submitter.submit(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS));
        assertThat(submitter.awaitFinished(jobId).get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertProblem(submitter.post("/jobs/" + jobId + "/retry", null, none), 403);
        assertProblem(submitter.post("/jobs/" + jobId + "/cancel", null, none), 403);
        assertProblem(submitter.get("/admin/api-keys"), 403);

        assertThat(operator.post("/jobs/" + jobId + "/cancel", null, none).statusCode())
                .as("an operator may cancel; a finished job answers 409").isEqualTo(409);
        assertProblem(operator.get("/admin/api-keys"), 403);
        assertProblem(operator.postJson("/admin/api-keys",
                "{\"name\":\"escalate\",\"tenant_id\":\"default\",\"role\":\"admin\"}"), 403);
        assertProblem(operator.delete("/admin/api-keys/" + ApiKeys.BOOTSTRAP_KEY_ID), 403);
        assertThat(Api.json(reader.postJson("/jobs", CsvJobs.inline(CsvJobs.CLEAN))).get("detail").asText())
                .contains("'reader'");
    }

    @Test
    void aKeyOfAnotherTenantFindsNothingOfThisOneThroughAnyEndpoint() {
        Api globexAdminActing = admin;
        String[] asGlobex = {"X-Tenant-Id", "globex"};
        String jobId = globexAdminActing.submit(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS), asGlobex);
        assertThat(admin.awaitFinished(jobId, java.time.Duration.ofSeconds(30), asGlobex).get("status").asText())
                .isEqualTo("PARTIAL_SUCCESS");
        String deadJob = admin.submit("{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"transient\",\"fail_times\":9}}",
                asGlobex);
        admin.awaitFinished(deadJob, java.time.Duration.ofSeconds(30), asGlobex);
        HttpRequest.BodyPublisher none = HttpRequest.BodyPublishers.noBody();

        for (String role : List.of("reader", "submitter", "operator")) {
            Api acme = admin.as(key("acme", role));
            for (String path : List.of("/jobs/" + jobId, "/jobs/" + jobId + "/events", "/jobs/" + jobId + "/report")) {
                HttpResponse<String> read = acme.get(path);
                assertProblem(read, 404);
                assertThat(read.body()).doesNotContain("globex");
            }
            assertThat(Api.json(acme.get("/jobs")).get("jobs").toString()).doesNotContain(jobId);
            assertThat(Api.json(acme.get("/jobs/stats")).toString()).doesNotContain("csv_validation");
            assertThat(Api.json(acme.get("/dead-letters")).get("dead_letters")).isEmpty();
            if (role.equals("operator")) {
                assertProblem(acme.post("/jobs/" + jobId + "/cancel", null, none), 404);
                assertProblem(acme.post("/jobs/" + deadJob + "/retry", null, none), 404);
                Long deadLetterId = jdbc.queryForObject("SELECT id FROM dead_letters WHERE job_id = ?", Long.class,
                        deadJob);
                assertProblem(acme.post("/dead-letters/" + deadLetterId + "/replay", null, none), 404);
            }
        }
        assertThat(admin.job(deadJob, asGlobex).get("status").asText()).as("untouched by acme")
                .isIn("FAILED", "DEAD_LETTERED");
    }

    @Test
    void theTenantComesFromTheKeyNeverFromAHeaderOrAQueryParameter() {
        String globexJob = admin.submit(CsvJobs.inline(CsvJobs.CLEAN), "X-Tenant-Id", "globex");
        Api acmeOperator = admin.as(key("acme", "operator"));
        HttpRequest.BodyPublisher none = HttpRequest.BodyPublishers.noBody();

        HttpResponse<String> spoofedHeader = acmeOperator.get("/jobs/" + globexJob, "X-Tenant-Id", "globex");
        assertProblem(spoofedHeader, 403);
        assertThat(Api.json(spoofedHeader).get("detail").asText()).contains("only an admin key");
        assertProblem(acmeOperator.post("/jobs/" + globexJob + "/cancel?X-Tenant-Id=globex", null, none), 404);
        assertProblem(acmeOperator.get("/jobs/" + globexJob + "?X-Tenant-Id=globex"), 404);
        assertThat(Api.json(acmeOperator.get("/jobs?X-Tenant-Id=globex")).get("jobs").toString())
                .doesNotContain(globexJob);
        assertThat(admin.job(globexJob, "X-Tenant-Id", "globex").get("status").asText()).isNotEqualTo("CANCELLED");

        // naming its own tenant is harmless
        assertThat(acmeOperator.get("/jobs", "X-Tenant-Id", "acme").statusCode()).isEqualTo(200);
    }

    @Test
    void anAdminMayActForAnotherTenantAndTheJobRecordsWhichKeySubmittedIt() {
        String jobId = admin.submit(CsvJobs.inline(CsvJobs.CLEAN), "X-Tenant-Id", "initech");
        Api initechReader = admin.as(key("initech", "reader"));

        JsonNode job = Api.json(initechReader.get("/jobs/" + jobId));
        assertThat(job.get("tenant_id").asText()).isEqualTo("initech");
        assertThat(job.get("submitted_by").asText()).isEqualTo(ApiKeys.BOOTSTRAP_KEY_ID);
        assertThat(jdbc.queryForObject("SELECT submitted_by FROM jobs WHERE job_id = ?", String.class, jobId))
                .isEqualTo(ApiKeys.BOOTSTRAP_KEY_ID);
        assertProblem(admin.get("/jobs/" + jobId), 404);
        assertProblem(admin.get("/jobs", "X-Tenant-Id", "not a tenant!"), 400);
    }

    @Test
    void keysAreShownOnceListedWithoutSecretsAndCheckedWhenMade() {
        HttpResponse<String> made = admin.postJson("/admin/api-keys",
                "{\"name\":\"nightly loader\",\"tenant_id\":\"acme\",\"role\":\"submitter\"}");
        assertThat(made.statusCode()).isEqualTo(201);
        JsonNode issued = Api.json(made);
        String secret = issued.get("key").asText();
        assertThat(secret).startsWith("cvk_").hasSizeGreaterThanOrEqualTo(4 + 43);
        assertThat(issued.get("key_id").asText()).startsWith("key_");
        assertThat(made.headers().firstValue("Cache-Control")).hasValueSatisfying(value ->
                assertThat(value).contains("no-store"));

        HttpResponse<String> listed = admin.get("/admin/api-keys");
        assertThat(listed.body()).contains(issued.get("key_id").asText(), "nightly loader")
                .doesNotContain(secret).doesNotContain("\"key\"").doesNotContain("hash");
        byte[] stored = jdbc.queryForObject("SELECT key_hash FROM api_keys WHERE key_id = ?", byte[].class,
                issued.get("key_id").asText());
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(secret.substring(4, 20));
        assertThat(stored).hasSize(32);

        assertProblem(admin.postJson("/admin/api-keys", "{\"name\":\"x\",\"tenant_id\":\"acme\",\"role\":\"root\"}"), 422);
        assertProblem(admin.postJson("/admin/api-keys", "{\"name\":\"x\",\"tenant_id\":\"../etc\",\"role\":\"reader\"}"), 422);
        assertProblem(admin.postJson("/admin/api-keys", "{\"tenant_id\":\"acme\",\"role\":\"reader\"}"), 422);
        assertProblem(admin.postJson("/admin/api-keys", "{not json"), 400);
        assertProblem(admin.post("/admin/api-keys", "text/plain",
                HttpRequest.BodyPublishers.ofString("{\"name\":\"x\",\"tenant_id\":\"acme\",\"role\":\"reader\"}")), 415);
    }

    @Test
    void smallLeaksAreClosed() throws Exception {
        assertProblem(admin.post("/jobs", "text/plain", HttpRequest.BodyPublishers.ofString(CsvJobs.inline(CsvJobs.CLEAN))),
                415);
        assertProblem(admin.post("/jobs", null, HttpRequest.BodyPublishers.ofString(CsvJobs.inline(CsvJobs.CLEAN))),
                415);

        String hugeType = "x".repeat(900_000);
        HttpResponse<String> huge = admin.postJson("/jobs", "{\"type\":\"" + hugeType + "\",\"payload\":{}}");
        assertProblem(huge, 422);
        assertThat(huge.body().length()).as("the answer does not echo 900 KB").isLessThan(2_000);

        for (String body : List.of(
                "{\"type\":\"csv_validation\",\"correlation_id\":\"a\\u0000b\",\"payload\":{\"marketplace\":\"m\",\"category\":\"c\",\"csv\":\"sku\\n\"}}",
                "{\"type\":\"csv_validation\",\"idempotency_key\":\"k\\u0000\",\"payload\":{\"marketplace\":\"m\",\"category\":\"c\",\"csv\":\"sku\\n\"}}",
                "{\"type\":\"csv_validation\",\"payload\":{\"marketplace\":\"m\",\"category\":\"c\",\"csv\":\"sku\\u0000\\n\"}}")) {
            HttpResponse<String> nul = admin.postJson("/jobs", body);
            assertProblem(nul, 422);
            assertThat(Api.json(nul).get("detail").asText()).contains("u0000");
        }

        // stack traces for admins only
        String deadJob = admin.submit("{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"transient\",\"fail_times\":9}}");
        assertThat(admin.awaitFinished(deadJob).get("status").asText()).isEqualTo("DEAD_LETTERED");
        JsonNode forAdmin = Api.json(admin.get("/dead-letters?type=test_flaky")).get("dead_letters").get(0);
        assertThat(forAdmin.get("last_stack_trace").asText()).contains("at dev.conveyor");
        JsonNode forOperator = Api.json(admin.as(key("default", "operator")).get("/dead-letters?type=test_flaky"))
                .get("dead_letters").get(0);
        assertThat(forOperator.get("last_stack_trace").isNull()).isTrue();
        assertThat(forOperator.get("last_error").asText()).isNotBlank();

        // reports are downloads
        String validation = admin.submit(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS));
        admin.awaitFinished(validation);
        HttpResponse<String> report = admin.get("/jobs/" + validation + "/report");
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.headers().firstValue("Content-Disposition")).hasValue(
                "attachment; filename=\"" + validation + "-errors.csv\"");
        assertThat(report.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

        // health details only with a key
        assertThat(admin.get("/actuator/health").body()).contains("components");
        assertThat(anonymous.get("/actuator/health/readiness").body()).doesNotContain("components");
        FlakyProcessor.HEALTHY.set(false);
    }

}
