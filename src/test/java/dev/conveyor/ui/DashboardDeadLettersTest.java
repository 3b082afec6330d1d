package dev.conveyor.ui;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.worker.FlakyProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's dead letters over real HTTP against the shared service: the list and a detail with each
 * attempt's error, the stack trace for admins only, and a replay by an operator (refused to a reader).
 */
@ConveyorIntegrationTest
class DashboardDeadLettersTest {

    @LocalServerPort
    int port;

    Api admin;
    String tenant;
    DashboardSession browser;

    @BeforeEach
    void setUp() {
        admin = new Api(port);
        tenant = "t_" + UUID.randomUUID().toString().substring(0, 8);
        browser = new DashboardSession(port);
        FlakyProcessor.HEALTHY.set(false);
    }

    @AfterEach
    void restoreTheBrokenWorld() {
        // other test classes in this JVM expect test_flaky to fail
        FlakyProcessor.HEALTHY.set(false);
    }

    /** A test_flaky job whose three attempts fail (TestEnvironment: max-attempts 3), and its dead letter's id. */
    long deadLetter(String jobId) {
        JsonNode job = admin.awaitFinished(jobId, Duration.ofSeconds(30), "X-Tenant-Id", tenant);
        assertThat(job.get("status").asText()).isEqualTo("DEAD_LETTERED");
        JsonNode list = Api.json(admin.get("/dead-letters", "X-Tenant-Id", tenant)).get("dead_letters");
        return list.get(0).get("id").asLong();
    }

    String submitDoomed() {
        return admin.submit("{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"transient\",\"fail_times\":99}}",
                "X-Tenant-Id", tenant);
    }

    @Test
    void aReaderSeesEachAttemptsErrorButNoStackTraceAndCannotReplay() {
        String jobId = submitDoomed();
        long id = deadLetter(jobId);
        browser.logIn(admin.newKey(tenant, "reader"));

        assertThat(browser.get("/ui/dead-letters").body()).contains("/ui/dead-letters/" + id).contains(jobId);
        String page = browser.get("/ui/dead-letters/" + id).body();
        assertThat(page).contains("<td>1</td>").contains("<td>2</td>").contains("<td>3</td>")
                .contains("java.io.IOException").contains("the service answered 503")
                .doesNotContain("Last stack trace").doesNotContain("at dev.conveyor")
                .doesNotContain("id=\"replay\"");
        assertThat(browser.post("/ui/dead-letters/" + id + "/replay").statusCode()).isEqualTo(403);
        assertThat(admin.job(jobId, "X-Tenant-Id", tenant).get("status").asText()).isEqualTo("DEAD_LETTERED");
    }

    @Test
    void anAdminSeesTheLastStackTrace() {
        long id = deadLetter(submitDoomed());
        browser.logIn(admin.newKey(tenant, "admin"));
        assertThat(browser.get("/ui/dead-letters/" + id).body()).contains("Last stack trace (admins only)")
                .contains("java.io.IOException: the service answered 503");
    }

    @Test
    void anOperatorReplaysADeadLetterAndTheJobSucceedsOnceTheCauseIsFixed() {
        String jobId = submitDoomed();
        long id = deadLetter(jobId);
        browser.logIn(admin.newKey(tenant, "operator"));
        assertThat(browser.get("/ui/dead-letters/" + id).body()).contains("id=\"replay\"");

        FlakyProcessor.HEALTHY.set(true);
        HttpResponse<String> replay = browser.post("/ui/dead-letters/" + id + "/replay");
        assertThat(replay.statusCode()).isEqualTo(302);
        assertThat(admin.awaitFinished(jobId, Duration.ofSeconds(30), "X-Tenant-Id", tenant).get("status").asText())
                .isEqualTo("SUCCESS");
        String page = browser.get("/ui/dead-letters/" + id).body();
        assertThat(page).contains(">SUCCESS</span>").doesNotContain("id=\"replay\"");
        assertThat(Api.json(admin.get("/dead-letters", "X-Tenant-Id", tenant)).get("dead_letters").get(0)
                .get("replay_count").asInt()).isEqualTo(1);
    }

    @Test
    void anOperatorReplaysAllDeadLettersWhoseErrorMatchesAndAReaderMayNot() {
        String first = submitDoomed();
        String second = submitDoomed();
        deadLetter(first);
        deadLetter(second);

        browser.logIn(admin.newKey(tenant, "reader"));
        assertThat(browser.get("/ui/dead-letters").body()).doesNotContain("id=\"replay-all\"");
        assertThat(browser.post("/ui/dead-letters/replay", "type", "test_flaky").statusCode()).isEqualTo(403);

        DashboardSession operator = new DashboardSession(port);
        operator.logIn(admin.newKey(tenant, "operator"));
        String filtered = operator.get("/ui/dead-letters?type=test_flaky&error=ANSWERED+503").body();
        assertThat(filtered).contains(first).contains(second).contains("id=\"replay-all\"")
                .contains("data-confirm=\"Replay every dead-lettered job of type test_flaky whose last error"
                        + " contains “ANSWERED 503”?");
        // an error text no dead letter has: nothing listed, nothing replayed
        assertThat(operator.get("/ui/dead-letters?error=no+such+error").body()).doesNotContain(first)
                .doesNotContain("id=\"replay-all\"");
        operator.post("/ui/dead-letters/replay", "error", "no such error");
        assertThat(admin.job(first, "X-Tenant-Id", tenant).get("status").asText()).isEqualTo("DEAD_LETTERED");

        FlakyProcessor.HEALTHY.set(true);
        operator.get("/ui/dead-letters");
        HttpResponse<String> replayed = operator.post("/ui/dead-letters/replay", "type", "test_flaky", "error",
                "answered 503");
        assertThat(replayed.statusCode()).isEqualTo(302);
        assertThat(operator.get(replayed.headers().firstValue("Location").orElseThrow()
                .replaceFirst("^https?://[^/]+", "")).body()).contains("Replayed 2 dead-lettered job(s) matching the filter");
        for (String jobId : new String[] {first, second}) {
            assertThat(admin.awaitFinished(jobId, Duration.ofSeconds(30), "X-Tenant-Id", tenant).get("status")
                    .asText()).isEqualTo("SUCCESS");
        }
    }

    @Test
    void anotherTenantsDeadLetterIsNotFoundNorReplayed() {
        String jobId = submitDoomed();
        long id = deadLetter(jobId);
        String owner = tenant;
        browser.logIn(admin.newKey("t_" + UUID.randomUUID().toString().substring(0, 8), "operator"));

        assertThat(browser.get("/ui/dead-letters/" + id).statusCode()).isEqualTo(404);
        assertThat(browser.get("/ui/dead-letters").body()).doesNotContain(jobId);
        browser.get("/ui/dead-letters");
        assertThat(browser.post("/ui/dead-letters/" + id + "/replay").statusCode()).isEqualTo(302);
        assertThat(admin.job(jobId, "X-Tenant-Id", owner).get("status").asText()).isEqualTo("DEAD_LETTERED");
    }
}
