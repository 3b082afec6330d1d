package dev.conveyor.telemetry;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import dev.conveyor.support.HeadlessChromium;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.openqa.selenium.By;
import org.openqa.selenium.ElementClickInterceptedException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hawtio seen the way an operator sees it, behind its login (on by default): a headless Chromium that opens the
 * console without logging in is shown Hawtio's login page and no routes; a reader key as the password is refused
 * there, since the console can stop routes; an operator key logs in, and the Camel routes view then lists our
 * routes with their counts. Each test has a browser of its own, so no session carries over. The routes view
 * leaves a screenshot at {@code target/hawtio/hawtio-routes.png} (docs/hawtio-routes.png is one of these), the
 * login page {@code hawtio-login.png} and the refusal {@code hawtio-login-refused.png}; a test that fails also leaves
 * the page source beside its screenshot.
 *
 * <p>The browser is the machine's Chromium and its chromedriver (Debian: {@code apt-get install chromium
 * chromium-driver}), named explicitly so Selenium never goes looking for one on the network. Without them the
 * test is skipped, except under CI ({@code CI=true}), where a missing browser is a failure. JMX is on, as in the
 * service: Hawtio shows what the MBeans say, and Camel's test support turns them off unless asked.
 */
@Tag("slow") // drives a headless browser
@ConveyorIntegrationTest
@DisableJmx(false)
// a condition, not an assumption in @BeforeAll: it skips before the service starts, and the build reports the skip
// and its reason (an assumption failed in @BeforeAll leaves no trace in the surefire/failsafe report)
@EnabledIf(value = HeadlessChromium.ENABLED, disabledReason = HeadlessChromium.SKIPPED)
class HawtioRoutesBrowserIT {

    static final Path OUT = Path.of("target", "hawtio");
    /**
     * How long a step may take. After the login Hawtio loads itself again and lists every MBean (about 2.4 MB of
     * JSON for the service's 380) before its navigation offers Camel. With the two cores loaded (three busy loops
     * beside the browser tests) that took 66 s while the dashboard's browser ran beside it, and 29 s one browser at a
     * time ({@link HeadlessChromium}); a CI run failed on the 60 s this was.
     */
    static final Duration PATIENCE = Duration.ofSeconds(120);

    /** Hawtio's login form: PatternFly's LoginForm, whose fields keep their default ids. */
    static final By USER = By.id("pf-login-username-id");
    static final By PASSWORD = By.id("pf-login-password-id");
    static final By LOG_IN = By.xpath("//form//button[@type = 'submit' and normalize-space() = 'Log in']");
    /** What the form says when the realm refuses the credentials. */
    static final By LOGIN_REFUSED = By.xpath("//*[normalize-space(text()) = 'Invalid login credentials']");

    @LocalServerPort
    int port;

    @Autowired
    CamelContext camel;

    HeadlessChromium chromium;
    WebDriver browser;
    /** The name of the last screenshot kept. */
    String kept;

    /**
     * A failed test leaves the page behind its last screenshot as {@code name}.html, while the browser is still open
     * (this runs before {@code @AfterEach}). A passing one does not: Hawtio's page is about 5 MB of styles, and
     * fetching it took up to 10 s a test under CI's load.
     */
    @RegisterExtension
    final TestExecutionExceptionHandler pageSourceOnFailure = (context, failure) -> {
        if (browser != null && kept != null) {
            Files.writeString(OUT.resolve(kept + ".html"), browser.getPageSource());
        }
        throw failure;
    };

    @BeforeAll
    static void theBrowserIsInstalled() {
        HeadlessChromium.requireInstalled("to look at Hawtio in a browser");
    }

    @BeforeEach
    void openTheBrowser() throws IOException {
        chromium = HeadlessChromium.open(OUT, "1600,1300");
        browser = chromium.browser();
    }

    @AfterEach
    void closeTheBrowser() throws IOException {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void withoutALoginTheConsoleShowsItsLoginPageAndNoRoutes() throws IOException {
        WebDriverWait wait = new WebDriverWait(browser, PATIENCE);
        try {
            browser.get(console("camel"));
            // Hawtio's client sends a stranger to its login route, whatever address they opened
            wait.until(ExpectedConditions.and(ExpectedConditions.urlToBe(console("login")),
                    ExpectedConditions.visibilityOfElementLocated(PASSWORD)));

            assertThat(browser.findElement(USER).isDisplayed()).isTrue();
            assertThat(browser.findElement(PASSWORD).getAttribute("type")).isEqualTo("password");
            assertTheRoutesAreNotShown();
        } finally {
            keep("hawtio-login");
        }
    }

    @Test
    void aReaderKeyIsRefusedAtTheLogin() throws IOException {
        String readerKey = issueKey("browser-reader", "reader");
        WebDriverWait wait = new WebDriverWait(browser, PATIENCE);
        try {
            browser.get(console("camel"));
            logIn(wait, "reader", readerKey);
            // the form's answer: its error, or (were the key let in) the console's reload away from the login
            wait.until(ExpectedConditions.or(ExpectedConditions.visibilityOfElementLocated(LOGIN_REFUSED),
                    ExpectedConditions.not(ExpectedConditions.urlToBe(console("login")))));

            assertThat(browser.getCurrentUrl()).isEqualTo(console("login"));
            assertThat(browser.findElement(LOGIN_REFUSED).isDisplayed()).isTrue();
            assertThat(browser.findElement(PASSWORD).isDisplayed()).isTrue();
            assertTheRoutesAreNotShown();
        } finally {
            keep("hawtio-login-refused");
        }
    }

    @Test
    void anOperatorKeyLogsInAndTheCamelRoutesViewListsOurRoutes() throws IOException {
        // one job through the service, so the routes it passed show counts
        Api api = new Api(port);
        assertThat(api.awaitFinished(api.submit(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS))).get("status").asText())
                .isEqualTo("PARTIAL_SUCCESS");
        String operatorKey = issueKey("browser-ops", "operator");
        Set<String> routeIds = camel.getRoutes().stream().map(Route::getRouteId).collect(Collectors.toSet());
        WebDriverWait wait = new WebDriverWait(browser, PATIENCE);

        try {
            browser.get(console("camel"));
            logIn(wait, "ops", operatorKey);
            // logged in, Hawtio reloads on its start page; its navigation then offers the Camel plugin
            click(wait, By.xpath("//nav//a[normalize-space() = 'Camel']"));
            // the Camel plugin's tree of contexts: the "routes" folder of our context opens on the diagram of all
            // routes; its "Routes" tab (/actuator/hawtio/camel/routes) is the list, one row per route with its state and counts
            click(wait, By.xpath(
                    "//button[contains(@class, 'tree-view__node-text') and normalize-space() = 'routes']"));
            click(wait, By.xpath("//nav[@aria-label = 'Camel Nav']//a[normalize-space() = 'Routes']"));
            List<String> listed = wait.until(page -> {
                List<String> names = routeTableNames(page);
                return names.containsAll(routeIds) ? names : null;
            });

            assertThat(listed).containsAll(routeIds).contains("dispatcher", "lane-router", "worker-normal");
            assertThat(browser.getTitle()).contains("Hawtio");
        } finally {
            // what the browser showed, pass or fail (and, failing, the page behind it)
            keep("hawtio-routes");
        }
    }

    /** Hawtio's page at {@code route} (login, camel, ...) of this service. */
    private String console(String route) {
        return "http://localhost:" + port + "/actuator/hawtio/" + route;
    }

    /** Waits for Hawtio's login form (PatternFly's, with its default ids), fills it in and submits it. */
    private void logIn(WebDriverWait wait, String user, String key) {
        wait.until(ExpectedConditions.and(ExpectedConditions.urlToBe(console("login")),
                ExpectedConditions.visibilityOfElementLocated(PASSWORD)));
        WebElement name = browser.findElement(USER);
        name.clear();
        name.sendKeys(user);
        browser.findElement(PASSWORD).sendKeys(key);
        click(wait, LOG_IN);
    }

    /**
     * Clicks the element once it can be: the console re-renders as it loads (after the login it reloads), so an
     * element found a moment ago may be gone or covered; it is looked up again until the click lands.
     */
    private static void click(WebDriverWait wait, By element) {
        wait.ignoring(StaleElementReferenceException.class).ignoring(ElementClickInterceptedException.class)
                .until(page -> {
                    WebElement found = ExpectedConditions.elementToBeClickable(element).apply(page);
                    if (found == null) {
                        return false;
                    }
                    found.click();
                    return true;
                });
    }

    /** Neither the Camel plugin's navigation nor its routes tree or table is on the page. */
    private void assertTheRoutesAreNotShown() {
        assertThat(browser.findElements(By.xpath("//nav[@aria-label = 'Camel Nav']"))).isEmpty();
        assertThat(browser.findElements(By.xpath("//button[contains(@class, 'tree-view__node-text')]"))).isEmpty();
        assertThat(routeTableNames(browser)).isEmpty();
    }

    /** A new API key of {@code role}, made the way an admin makes one; its secret. */
    private String issueKey(String name, String role) {
        HttpResponse<String> issued = new Api(port).postJson("/admin/api-keys", """
                {"name": "%s", "tenant_id": "default", "role": "%s"}
                """.formatted(name, role));
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        return Api.json(issued).get("key").asText();
    }

    /** What the browser shows now: its screenshot as {@code name}.png. */
    private void keep(String name) throws IOException {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, OUT.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        kept = name;
    }

    /** The texts of the cells of the Camel pane's table (not the tree beside it), among them the route ids. */
    private static List<String> routeTableNames(WebDriver page) {
        return page.findElements(By.cssSelector("#camel-content table tbody tr td")).stream()
                .map(WebElement::getText).map(String::strip).toList();
    }

}
