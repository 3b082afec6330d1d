package dev.conveyor.ui;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.TestKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's login, session, CSRF and role rules, over real HTTP against the shared service: what a browser
 * (or someone forging its requests) meets at /ui/.
 */
@ConveyorIntegrationTest
class DashboardSecurityTest {

    @LocalServerPort
    int port;

    Api admin;
    DashboardSession browser;

    @BeforeEach
    void setUp() {
        admin = new Api(port);
        browser = new DashboardSession(port);
    }

    @Test
    void anAnonymousVisitorIsSentToALoginPageThatAsksForAKeyInAPostedForm() {
        HttpResponse<String> overview = browser.get("/ui/");
        assertThat(overview.statusCode()).isEqualTo(302);
        assertThat(overview.headers().firstValue("Location")).hasValueSatisfying(to -> assertThat(to).endsWith("/ui/login"));

        HttpResponse<String> login = browser.get("/ui/login");
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.body()).contains("<form method=\"post\" action=\"/ui/login\">")
                .contains("<label for=\"key\">API key</label>")
                .contains("type=\"password\"")
                .containsPattern("name=\"_csrf\" value=\"[^\"]+\"");
        // the fragment htmx polls is no way around the login either
        assertThat(browser.get("/ui/overview/live").statusCode()).isEqualTo(302);
    }

    @Test
    void aLoginWithoutTheFormsCsrfTokenIsRefused() {
        String reader = admin.newKey("t_" + UUID.randomUUID().toString().substring(0, 8), "reader");
        HttpResponse<String> forged = browser.postRaw("/ui/login", "key=" + reader);
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(browser.get("/ui/").statusCode()).isEqualTo(302);
    }

    @Test
    void aWrongKeyIsSentBackToTheLoginPageWithAReason() {
        assertThat(browser.logIn("cvk_not-a-key-of-this-service")).endsWith("/ui/login?error");
        HttpResponse<String> again = browser.get("/ui/login?error");
        assertThat(again.body()).contains("That API key is not valid or has been revoked.");
        assertThat(browser.get("/ui/").statusCode()).isEqualTo(302);
    }

    @Test
    void aReaderSeesTheOverviewButNoPageHoldsTheKeyAndTheirPostsAreRefused() {
        String reader = admin.newKey("t_" + UUID.randomUUID().toString().substring(0, 8), "reader");
        assertThat(browser.logIn(reader)).endsWith("/ui/");

        HttpResponse<String> overview = browser.get("/ui/");
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains("<h1>Overview</h1>").contains("reader")
                .contains("hx-trigger=\"every 5s\"")
                .doesNotContain(reader);
        assertThat(browser.get("/ui/overview/live").body()).doesNotContain(reader);
        // an action forced by a reader, with a valid CSRF token: refused by role, whatever the path
        assertThat(browser.post("/ui/jobs/job_x/retry").statusCode()).isEqualTo(403);
    }

    @Test
    void anOperatorsPostWithoutTheCsrfTokenIsRefused() {
        String operator = admin.newKey("t_" + UUID.randomUUID().toString().substring(0, 8), "operator");
        assertThat(browser.logIn(operator)).endsWith("/ui/");
        assertThat(browser.postRaw("/ui/jobs/job_x/retry", "").statusCode()).isEqualTo(403);
        browser.get("/ui/");
        // with the token an operator's POST passes the security chain (and finds no such page: 404 or 415): the
        // 403 above, and the reader's, are the CSRF check and the role, not the path
        assertThat(browser.post("/ui/no-such-action").statusCode()).isNotIn(302, 401, 403).isBetween(404, 415);
    }

    @Test
    void logoutEndsTheSession() {
        String reader = admin.newKey("t_" + UUID.randomUUID().toString().substring(0, 8), "reader");
        browser.logIn(reader);
        browser.get("/ui/");
        HttpResponse<String> logout = browser.post("/ui/logout");
        assertThat(logout.statusCode()).isEqualTo(302);
        assertThat(logout.headers().firstValue("Location")).hasValueSatisfying(to ->
                assertThat(to).endsWith("/ui/login?logout"));
        assertThat(browser.get("/ui/").statusCode()).isEqualTo(302);
    }

    @Test
    void theApiStaysStatelessAndTheDashboardSessionIsNoKeyForIt() {
        HttpResponse<String> api = admin.get("/jobs?limit=1");
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(api.headers().firstValue("Set-Cookie")).isEmpty();

        browser.logIn(TestKeys.ADMIN);
        // a logged-in browser's cookie does not open the API: its chain reads bearer tokens only
        assertThat(browser.get("/jobs").statusCode()).isEqualTo(401);
    }

    @Test
    void theOverviewShowsTheSameNumbersAsTheStatsApiForTheCallersTenant() {
        String tenant = "t_" + UUID.randomUUID().toString().substring(0, 8);
        String reader = admin.newKey(tenant, "reader");
        String jobId = admin.submit(CsvJobs.inline(CsvJobs.CLEAN), "X-Tenant-Id", tenant);
        admin.awaitFinished(jobId, Duration.ofSeconds(30), "X-Tenant-Id", tenant);
        JsonNode day = Api.json(admin.get("/jobs/stats?window=24h", "X-Tenant-Id", tenant));
        long succeeded = day.at("/submitted/by_status/SUCCESS").asLong();
        assertThat(succeeded).isPositive();

        browser.logIn(reader);
        String live = browser.get("/ui/overview/live").body();
        assertThat(live).contains("<span class=\"count\" data-status=\"SUCCESS\">" + succeeded + "</span>")
                .contains("<span class=\"count\" data-status=\"FAILED\">0</span>");
    }

    @Test
    void revokingTheKeyEndsItsDashboardSessionAtTheNextRequest() {
        HttpResponse<String> made = admin.postJson("/admin/api-keys", "{\"name\":\"leaving\",\"tenant_id\":\""
                + "t_" + UUID.randomUUID().toString().substring(0, 8) + "\",\"role\":\"operator\"}");
        browser.logIn(Api.json(made).get("key").asText());
        assertThat(browser.get("/ui/").statusCode()).isEqualTo(200);

        assertThat(admin.delete("/admin/api-keys/" + Api.json(made).get("key_id").asText()).statusCode())
                .isEqualTo(200);

        HttpResponse<String> after = browser.get("/ui/");
        assertThat(after.statusCode()).isEqualTo(302);
        assertThat(after.headers().firstValue("Location")).hasValueSatisfying(to -> assertThat(to).endsWith("/ui/login"));
        assertThat(browser.get("/ui/jobs").statusCode()).isEqualTo(302);
    }
}
