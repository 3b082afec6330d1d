package dev.conveyor.ui;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.HeadlessChromium;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.telemetry.JobDailyStats;
import dev.conveyor.worker.FlakyProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in a real browser, as HawtioRoutesBrowserIT looks at Hawtio: the machine's headless Chromium and
 * chromedriver (apt-get install chromium chromium-driver), skipped without them except under CI=true. A reader
 * logs in and reads a job's timeline, sees no action and is refused one forced from the page's own script; an
 * operator replays a dead letter from its page and watches the job become SUCCESS; the overview's numbers change
 * when a job finishes, without a reload; an operator pauses and resumes a lane from the lanes page, where a reader
 * has no button; a dropped file's batch shows its row counts. Each page is left as a screenshot in
 * {@code target/ui/} (docs/ui/ holds copies, shown in the README), beside its page source.
 */
@Tag("slow") // drives a headless browser
@ConveyorIntegrationTest
// The shared service, started in the slow tier's JVM only for this class, is closed after it: left running (JMX
// off, as every shared service is) it kept the Hawtio tests that follow in that JVM from finding their own
// context's route MBeans (HawtioConsoleTest, HawtioRoutesBrowserIT failed after it, and passed alone)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@EnabledIf(value = HeadlessChromium.ENABLED, disabledReason = HeadlessChromium.SKIPPED)
class DashboardBrowserIT {

    static final Path OUT = Path.of("target", "ui");
    static final Duration PATIENCE = Duration.ofSeconds(60);

    @LocalServerPort
    int port;

    @Autowired
    ConveyorProperties properties;

    @Autowired
    JobDailyStats dailyStats;

    Api admin;
    String tenant;
    HeadlessChromium chromium;
    WebDriver browser;
    WebDriverWait wait;
    String schedule;

    @BeforeAll
    static void theBrowserIsInstalled() {
        HeadlessChromium.requireInstalled("to use the dashboard in a browser");
    }

    @BeforeEach
    void openTheBrowser() throws IOException {
        admin = new Api(port);
        tenant = "t_" + UUID.randomUUID().toString().substring(0, 8);
        FlakyProcessor.HEALTHY.set(false);
        // a laptop's screen
        chromium = HeadlessChromium.open(OUT, "1366,900");
        browser = chromium.browser();
        wait = new WebDriverWait(browser, PATIENCE);
    }

    @AfterEach
    void closeTheBrowser() throws IOException {
        // first, whatever fails after it: the next browser test, in this fork or the other, waits for this one's
        // to close (HeadlessChromium)
        if (chromium != null) {
            chromium.close();
        }
        // other test classes in this JVM expect test_flaky to fail
        FlakyProcessor.HEALTHY.set(false);
        if (schedule != null) {
            admin.delete("/schedules/" + schedule, "X-Tenant-Id", tenant);
        }
        // a lane is the whole service's: never left paused for the tests that follow
        admin.postJson("/lanes/low/resume", "");
    }

    @Test
    void aReaderLogsInReadsAJobsTimelineAndMayNotAct() throws IOException {
        String failed = finished(failing());
        finished(CsvJobs.inline(CsvJobs.CLEAN));
        finished(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS));
        String reader = admin.newKey(tenant, "reader");

        // the daily chart's numbers, as the maintenance route would have them by now
        dailyStats.refresh();

        browser.get(url("/ui/"));
        wait.until(ExpectedConditions.urlToBe(url("/ui/login")));
        keep("login");
        logIn(reader);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Overview"));
        // the whole overview in one picture (the charts and lanes are below a laptop's fold)
        browser.manage().window().setSize(new Dimension(1366, 1560));
        keep("overview");
        browser.manage().window().setSize(new Dimension(1366, 900));
        assertThat(browser.getPageSource()).doesNotContain(reader);

        browser.findElement(By.linkText("Jobs")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Jobs"));
        keep("jobs");
        browser.findElement(By.linkText(failed)).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("timeline")));
        assertThat(browser.findElement(By.id("timeline")).getText()).contains("job.queued", "job.started",
                "job.failed");
        assertThat(browser.findElements(By.id("retry"))).isEmpty();
        assertThat(browser.findElements(By.id("cancel"))).isEmpty();
        keep("job");

        // the action forced from the page itself, with its session and CSRF token: refused by role
        Object status = ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const token = document.querySelector('input[name=_csrf]').value;
                fetch('/ui/jobs/' + arguments[0] + '/retry', {method: 'POST', redirect: 'manual',
                      body: new URLSearchParams({_csrf: token})}).then(r => done(r.status));""", failed);
        assertThat(((Number) status).intValue()).isEqualTo(403);
        assertThat(admin.job(failed, "X-Tenant-Id", tenant).get("status").asText()).isEqualTo("FAILED");
    }

    @Test
    void anOperatorReplaysADeadLetterFromItsPageAndSeesTheJobSucceed() throws IOException {
        String doomed = admin.submit("{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"transient\","
                + "\"fail_times\":99}}", "X-Tenant-Id", tenant);
        assertThat(admin.awaitFinished(doomed, PATIENCE, "X-Tenant-Id", tenant).get("status").asText())
                .isEqualTo("DEAD_LETTERED");
        aSchedule();
        logIn(admin.newKey(tenant, "operator"));

        browser.get(url("/ui/schedules"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Schedules"));
        keep("schedules");
        browser.get(url("/ui/dead-letters"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Dead letters"));
        keep("dead-letters");
        browser.findElement(By.partialLinkText("#")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("replay")));
        keep("dead-letter");

        FlakyProcessor.HEALTHY.set(true);
        browser.findElement(By.id("replay")).click();
        // the confirmation, accepted as a person would
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[role=status]"), "Replayed"));
        browser.findElement(By.linkText(doomed)).click();
        // the job page polls its state while the job can change: SUCCESS arrives without a reload
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-status"), "SUCCESS"));
        keep("job-replayed");
        assertThat(admin.job(doomed, "X-Tenant-Id", tenant).get("status").asText()).isEqualTo("SUCCESS");
    }

    @Test
    void theOverviewFollowsAJobToItsEndWithoutAReload() {
        logIn(admin.newKey(tenant, "reader"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Overview"));
        By succeeded = By.cssSelector("[data-status=SUCCESS]");
        String before = wait.ignoring(StaleElementReferenceException.class)
                .until(page -> page.findElement(succeeded).getText());
        assertThat(before).isEqualTo("0");
        // a mark a reload would wipe out
        ((JavascriptExecutor) browser).executeScript("window.sameDocument = true;");

        finished(CsvJobs.inline(CsvJobs.CLEAN));

        // htmx swaps the numbers every 5 s: an element read during a swap is stale, and read again
        String count = wait.ignoring(StaleElementReferenceException.class).until(page -> {
            String shown = page.findElement(succeeded).getText();
            return "0".equals(shown) ? null : shown;
        });
        assertThat(count).isEqualTo("1");
        assertThat(((JavascriptExecutor) browser).executeScript("return window.sameDocument === true;"))
                .isEqualTo(true);
    }

    @Test
    void anOperatorPausesAndResumesALaneFromTheLanesPageWhereAReaderHasNoButton() throws IOException {
        logIn(admin.newKey(tenant, "reader"));
        browser.get(url("/ui/lanes"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Lanes and types"));
        assertThat(browser.findElement(By.id("lane-low")).getText()).contains("low", "running");
        assertThat(browser.findElements(By.cssSelector("main button"))).isEmpty();
        browser.findElement(By.cssSelector("form.logout button")).click();
        wait.until(ExpectedConditions.urlContains("/ui/login"));

        logIn(admin.newKey(tenant, "operator"));
        browser.get(url("/ui/lanes"));
        wait.until(ExpectedConditions.elementToBeClickable(By.id("pause-lane-low")));
        browser.findElement(By.id("pause-lane-low")).click();
        // the confirmation names what a pause does, and is accepted as a person would
        assertThat(wait.until(ExpectedConditions.alertIsPresent()).getText()).contains("Pause lane low?",
                "every tenant");
        browser.switchTo().alert().accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[role=status]"),
                "Paused lane low"));
        assertThat(browser.findElement(By.cssSelector("#lane-low .state")).getText()).isEqualTo("paused");
        assertThat(lanePaused("low")).isTrue();
        keep("lanes");

        browser.findElement(By.id("resume-lane-low")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[role=status]"),
                "Resumed lane low"));
        assertThat(browser.findElement(By.cssSelector("#lane-low .state")).getText()).isEqualTo("running");
        assertThat(lanePaused("low")).isFalse();
    }

    @Test
    void aDroppedFilesBatchShowsItsRowCountsAndItsInvalidRows() throws IOException {
        String inboxTenant = properties.inbox().tenant();
        String name = "listings-" + UUID.randomUUID().toString().substring(0, 8) + ".csv";
        Path folder = Files.createDirectories(properties.inbox().dir().resolve("ui_mkt").resolve("toys"));
        StringBuilder csv = new StringBuilder("sku,title,price,quantity\n");
        for (int i = 1; i <= 8; i++) {
            csv.append("UI-").append(i).append(",Item ").append(i).append(',').append(i).append(".50,").append(i)
                    .append('\n');
        }
        csv.append("UI-BAD-1,,abc,1\nUI-BAD-2,Thing,1.00,-3\n");
        // written beside the inbox and moved in whole, as the README tells users to
        Path staged = Files.createTempFile("staged", ".csv");
        Files.writeString(staged, csv);
        Files.move(staged, folder.resolve(name));

        String batchId = await().atMost(PATIENCE).until(() -> closedBatchOf("ui_mkt/toys/" + name, inboxTenant),
                id -> id != null);
        logIn(admin.newKey(inboxTenant, "reader"));
        browser.get(url("/ui/batches?source=inbox"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Batches"));
        keep("batches");
        browser.findElement(By.linkText(batchId)).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("rows-total")));
        assertThat(browser.findElement(By.id("rows-total")).getText()).isEqualTo("10");
        assertThat(browser.findElement(By.id("rows-valid")).getText()).isEqualTo("8");
        assertThat(browser.findElement(By.id("rows-invalid")).getText()).isEqualTo("2");
        assertThat(browser.findElement(By.id("reconciliation")).getText()).startsWith(
                "rows_total 10 = rows_valid 8 + rows_invalid 2");
        assertThat(browser.findElement(By.id("batch-status")).getText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(browser.findElement(By.id("batch-progress")).getAttribute("value")).isEqualTo("100");
        assertThat(browser.findElement(By.cssSelector("a.report")).getAttribute("href")).endsWith("/report");
        keep("batch");
    }

    /** The batch of the dropped file once it is closed, or null. */
    private String closedBatchOf(String sourceRef, String inboxTenant) {
        for (JsonNode batch : Api.json(admin.get("/batches?source=inbox&limit=100", "X-Tenant-Id", inboxTenant))
                .get("batches")) {
            if (batch.get("source_ref").asText().equals(sourceRef) && !batch.get("status").asText()
                    .equals("RUNNING")) {
                return batch.get("batch_id").asText();
            }
        }
        return null;
    }

    private boolean lanePaused(String lane) {
        for (JsonNode row : Api.json(admin.get("/lanes")).get("lanes")) {
            if (row.get("name").asText().equals(lane)) {
                return row.get("paused").asBoolean();
            }
        }
        throw new AssertionError("no lane " + lane);
    }

    private void logIn(String key) {
        browser.get(url("/ui/login"));
        browser.findElement(By.id("key")).sendKeys(key);
        browser.findElement(By.cssSelector("form button[type=submit]")).click();
        wait.until(ExpectedConditions.urlToBe(url("/ui/")));
    }

    private String finished(String body) {
        String jobId = admin.submit(body, "X-Tenant-Id", tenant);
        JsonNode job = admin.awaitFinished(jobId, PATIENCE, "X-Tenant-Id", tenant);
        assertThat(Api.isFinal(job.get("status").asText())).isTrue();
        return jobId;
    }

    private static String failing() {
        return "{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"permanent\",\"fail_times\":99}}";
    }

    /** A nightly schedule of the tenant, for the schedules page; deleted after the test, before any tick of it. */
    private void aSchedule() {
        String body = "{\"cron\":\"0 2 * * *\",\"zone\":\"Europe/Paris\",\"job\":"
                + CsvJobs.inline("acme", "toys", CsvJobs.CLEAN) + "}";
        String name = "nightly-" + tenant;
        schedule = name;
        assertThat(admin.send("PUT", "/schedules/" + name, HttpRequest.BodyPublishers.ofString(body),
                "Content-Type", "application/json", "X-Tenant-Id", tenant).statusCode()).isEqualTo(201);
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }

    /** What the browser shows: a screenshot and the page behind it. */
    private void keep(String name) throws IOException {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, OUT.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(OUT.resolve(name + ".html"), browser.getPageSource());
    }

}
