package dev.conveyor.ui;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard's jobs pages over real HTTP against the shared service, each test in a tenant of its own: the
 * list and its filters, the search, a job's page, and who may retry or cancel from it.
 */
@ConveyorIntegrationTest
class DashboardJobsTest {

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
    }

    String finishedJob(String body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "X-Tenant-Id";
        all[1] = tenant;
        System.arraycopy(headers, 0, all, 2, headers.length);
        String jobId = admin.submit(body, all);
        admin.awaitFinished(jobId, Duration.ofSeconds(30), "X-Tenant-Id", tenant);
        return jobId;
    }

    static String failing() {
        return "{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"permanent\",\"fail_times\":99}}";
    }

    @Test
    void theListShowsOnlyTheTenantsJobsAndFiltersThem() {
        String clean = finishedJob(CsvJobs.inline(CsvJobs.CLEAN));
        String failed = finishedJob(failing());
        String elsewhere = admin.submit(CsvJobs.inline(CsvJobs.CLEAN));
        browser.logIn(admin.newKey(tenant, "reader"));

        String all = browser.get("/ui/jobs").body();
        assertThat(all).contains(clean).contains(failed).doesNotContain(elsewhere);

        String onlyFailed = browser.get("/ui/jobs?status=FAILED").body();
        assertThat(onlyFailed).contains(failed).doesNotContain(clean)
                .contains("<option value=\"FAILED\" selected>");
        assertThat(browser.get("/ui/jobs?type=csv_validation").body()).contains(clean).doesNotContain(failed);
    }

    @Test
    void theListFiltersByCreationTimeInUtcAndSaysWhenATimeIsNotOne() {
        String clean = finishedJob(CsvJobs.inline(CsvJobs.CLEAN));
        browser.logIn(admin.newKey(tenant, "reader"));
        // as a datetime-local field sends them: minutes, no zone (read as UTC)
        String hourAgo = minutes(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).minusHours(1));
        String hourAhead = minutes(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).plusHours(1));

        assertThat(browser.get("/ui/jobs?from=" + hourAgo + "&to=" + hourAhead).body()).contains(clean)
                .contains("value=\"" + hourAgo + "\"");
        assertThat(browser.get("/ui/jobs?from=" + hourAhead).body()).doesNotContain(clean).contains("No jobs match.");
        assertThat(browser.get("/ui/jobs?to=" + hourAgo).body()).doesNotContain(clean);
        // with an offset, as the API takes it
        assertThat(browser.get("/ui/jobs?to=" + hourAgo + ":00%2B00:00").body()).doesNotContain(clean);
        String wrong = browser.get("/ui/jobs?from=yesterday").body();
        assertThat(wrong).contains("From is not a date and time").contains(clean);
    }

    @Test
    void anAdminNamesAnotherTenantAndAReaderMayNot() {
        String clean = finishedJob(CsvJobs.inline(CsvJobs.CLEAN), "Idempotency-Key", "ui-admin-" + tenant);
        String otherTenant = "t_" + UUID.randomUUID().toString().substring(0, 8);

        browser.logIn(admin.newKey(otherTenant, "reader"));
        String refused = browser.get("/ui/jobs?tenant=" + tenant).body();
        assertThat(refused).contains("Only an admin key may look at another tenant").doesNotContain(clean)
                .doesNotContain("id=\"tenant\"");

        DashboardSession adminBrowser = new DashboardSession(port);
        adminBrowser.logIn(admin.newKey(otherTenant, "admin"));
        assertThat(adminBrowser.get("/ui/jobs").body()).contains("id=\"tenant\"").doesNotContain(clean);
        String theirs = adminBrowser.get("/ui/jobs?tenant=" + tenant).body();
        assertThat(theirs).contains(clean).contains("value=\"" + tenant + "\"");
        assertThat(adminBrowser.get("/ui/jobs?tenant=" + tenant + "&q=ui-admin-" + tenant).headers()
                .firstValue("Location")).hasValueSatisfying(to -> assertThat(to).endsWith("/ui/jobs/" + clean));
        assertThat(adminBrowser.get("/ui/jobs/" + clean).statusCode()).isEqualTo(200);
    }

    private static String minutes(java.time.LocalDateTime time) {
        return time.withSecond(0).withNano(0).toString();
    }

    @Test
    void theSearchGoesToTheJobAnIdOrAnIdempotencyKeyNames() {
        String jobId = finishedJob(CsvJobs.inline(CsvJobs.CLEAN), "Idempotency-Key", "nightly-2026-11-30");
        browser.logIn(admin.newKey(tenant, "reader"));

        assertThat(browser.get("/ui/jobs?q=" + jobId).headers().firstValue("Location"))
                .hasValueSatisfying(to -> assertThat(to).endsWith("/ui/jobs/" + jobId));
        assertThat(browser.get("/ui/jobs?q=nightly-2026-11-30").headers().firstValue("Location"))
                .hasValueSatisfying(to -> assertThat(to).endsWith("/ui/jobs/" + jobId));
        HttpResponse<String> none = browser.get("/ui/jobs?q=%3Cscript%3Enothing");
        assertThat(none.statusCode()).isEqualTo(200);
        // the caller's text comes back escaped, never as markup
        assertThat(none.body()).contains("&lt;script&gt;nothing").doesNotContain("<script>nothing");
    }

    @Test
    void aReaderSeesAJobsTimelineAndNoActionsAndIsRefusedTheForcedAction() {
        String failed = finishedJob(failing());
        browser.logIn(admin.newKey(tenant, "reader"));

        HttpResponse<String> page = browser.get("/ui/jobs/" + failed);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<strong>job.queued</strong>").contains("<strong>job.started</strong>")
                .contains("<strong>job.failed</strong>")
                .contains("does not exist")
                .contains("&quot;mode&quot; : &quot;permanent&quot;")
                .doesNotContain("id=\"retry\"").doesNotContain("id=\"cancel\"");

        assertThat(browser.post("/ui/jobs/" + failed + "/retry").statusCode()).isEqualTo(403);
        assertThat(admin.job(failed, "X-Tenant-Id", tenant).get("status").asText()).isEqualTo("FAILED");
    }

    @Test
    void anotherTenantsJobIsNotFound() {
        String elsewhere = finishedJob(CsvJobs.inline(CsvJobs.CLEAN));
        tenant = "t_" + UUID.randomUUID().toString().substring(0, 8);
        browser.logIn(admin.newKey(tenant, "operator"));

        assertThat(browser.get("/ui/jobs/" + elsewhere).statusCode()).isEqualTo(404);
        assertThat(browser.get("/ui/jobs/" + elsewhere + "/report").statusCode()).isEqualTo(404);
        assertThat(browser.get("/ui/jobs/not-a-job-id").statusCode()).isEqualTo(404);
    }

    @Test
    void anOperatorRetriesAFailedJobFromItsPage() {
        String failed = finishedJob(failing());
        browser.logIn(admin.newKey(tenant, "operator"));

        String page = browser.get("/ui/jobs/" + failed).body();
        assertThat(page).contains("id=\"retry\"").contains("confirm('Retry job " + failed)
                .doesNotContain("id=\"cancel\"");

        HttpResponse<String> retry = browser.post("/ui/jobs/" + failed + "/retry");
        assertThat(retry.statusCode()).isEqualTo(302);
        assertThat(browser.get("/ui/jobs/" + failed).body()).contains("Queued again");
        // it runs again (and fails again: test_flaky's world is still broken): a second job.queued, a second
        // job.failed, as a retry through the API writes them
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode events = Api.json(admin.get("/jobs/" + failed + "/events", "X-Tenant-Id", tenant))
                    .get("events");
            assertThat(events.findValuesAsText("event_type")).containsExactly("job.queued", "job.started",
                    "job.failed", "job.queued", "job.started", "job.failed");
        });
    }

    @Test
    void aReportIsADownloadOfTheTenantsOwnJob() {
        String jobId = finishedJob(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS));
        browser.logIn(admin.newKey(tenant, "reader"));

        assertThat(browser.get("/ui/jobs/" + jobId).body()).contains("/ui/jobs/" + jobId + "/report");
        HttpResponse<String> report = browser.get("/ui/jobs/" + jobId + "/report");
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.headers().firstValue("Content-Disposition")).hasValueSatisfying(d ->
                assertThat(d).startsWith("attachment"));
        assertThat(report.body()).contains("SKU-2");
    }

    @Test
    void anOperatorCancelsARunningJobAndItsPageFollowsIt() {
        String slow = admin.submit("{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"slow\"}}",
                "X-Tenant-Id", tenant);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "RUNNING".equals(admin.job(slow, "X-Tenant-Id", tenant).get("status").asText()));
        browser.logIn(admin.newKey(tenant, "operator"));

        String page = browser.get("/ui/jobs/" + slow).body();
        // while it runs the state polls itself and shows a progress bar
        assertThat(page).contains("hx-get=\"/ui/jobs/" + slow + "/live\"").contains("<progress id=\"job-progress\"")
                .contains("id=\"cancel\"");
        assertThat(browser.post("/ui/jobs/" + slow + "/cancel").statusCode()).isEqualTo(302);
        assertThat(browser.get("/ui/jobs/" + slow).body()).contains("Cancel requested");

        await().atMost(Duration.ofSeconds(30)).until(() ->
                browser.get("/ui/jobs/" + slow + "/live").body().contains(">CANCELLED</span>"));
        // a final job's state stops polling
        assertThat(browser.get("/ui/jobs/" + slow + "/live").body()).doesNotContain("hx-get");
    }
}
