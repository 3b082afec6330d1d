package dev.conveyor.telemetry;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hawtio seen the way an operator sees it: a headless Chromium opens the console of the running service, goes to
 * the Camel routes view and finds our routes listed there with their counts. It leaves a screenshot at
 * {@code target/hawtio/hawtio-routes.png} (docs/hawtio-routes.png is one of these).
 *
 * <p>The browser is the machine's Chromium and its chromedriver (Debian: {@code apt-get install chromium
 * chromium-driver}), named explicitly so Selenium never goes looking for one on the network. Without them the
 * test is skipped, except under CI ({@code CI=true}), where a missing browser is a failure. JMX is on, as in the
 * service: Hawtio shows what the MBeans say, and Camel's test support turns them off unless asked.
 */
@ConveyorIntegrationTest
@DisableJmx(false)
// a condition, not an assumption in @BeforeAll: it skips before the service starts, and the build reports the skip
// and its reason (an assumption failed in @BeforeAll leaves no trace in the surefire/failsafe report)
@EnabledIf(value = "browserInstalledOrUnderCi", disabledReason = "skipped: no Chromium/chromedriver at CHROMIUM_BIN"
        + " (default /usr/bin/chromium) and CHROMEDRIVER_BIN (default /usr/bin/chromedriver); apt-get install"
        + " chromium chromium-driver to run it. With CI=true a missing browser fails instead.")
class HawtioRoutesBrowserIT {

    static final Path CHROMIUM = Path.of(env("CHROMIUM_BIN", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(env("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"));
    static final Path OUT = Path.of("target", "hawtio");
    static final Duration PATIENCE = Duration.ofSeconds(60);

    @LocalServerPort
    int port;

    @Autowired
    CamelContext camel;

    WebDriver browser;
    Path profile;

    /** Whether to run at all: without a browser only under CI, where {@link #theBrowserIsInstalled} then fails. */
    static boolean browserInstalledOrUnderCi() {
        return browserInstalled() || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    static boolean browserInstalled() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    @BeforeAll
    static void theBrowserIsInstalled() {
        assertThat(browserInstalled()).as("Chromium (" + CHROMIUM + ") and chromedriver (" + CHROMEDRIVER + ") are"
                + " needed to look at Hawtio in a browser: apt-get install chromium chromium-driver (or set"
                + " CHROMIUM_BIN and CHROMEDRIVER_BIN). CI=true, so a missing browser fails the build instead of"
                + " skipping the test.").isTrue();
    }

    @BeforeEach
    void openTheBrowser() throws IOException {
        Files.createDirectories(OUT);
        profile = Files.createTempDirectory("conveyor-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                "--disable-dev-shm-usage", "--window-size=1600,1300", "--user-data-dir=" + profile);
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(OUT.resolve("chromedriver.log").toFile())
                .build();
        browser = new ChromeDriver(driver, options);
    }

    @AfterEach
    void closeTheBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    @Test
    void theCamelRoutesViewListsOurRoutes() throws IOException {
        // one job through the service, so the routes it passed show counts
        Api api = new Api(port);
        assertThat(api.awaitFinished(api.submit(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS))).get("status").asText())
                .isEqualTo("PARTIAL_SUCCESS");
        Set<String> routeIds = camel.getRoutes().stream().map(Route::getRouteId).collect(Collectors.toSet());
        WebDriverWait wait = new WebDriverWait(browser, PATIENCE);

        try {
            browser.get("http://localhost:" + port + "/actuator/hawtio/camel");
            // the Camel plugin's tree of contexts: the "routes" folder of our context opens on the diagram of all
            // routes; its "Routes" tab (/actuator/hawtio/camel/routes) is the list, one row per route with its state and counts
            wait.until(ExpectedConditions.elementToBeClickable(By.xpath(
                    "//button[contains(@class, 'tree-view__node-text') and normalize-space() = 'routes']"))).click();
            wait.until(ExpectedConditions.elementToBeClickable(By.xpath(
                    "//nav[@aria-label = 'Camel Nav']//a[normalize-space() = 'Routes']"))).click();
            List<String> listed = wait.until(page -> {
                List<String> names = routeTableNames(page);
                return names.containsAll(routeIds) ? names : null;
            });

            assertThat(listed).containsAll(routeIds).contains("dispatcher", "lane-router", "worker-normal");
            assertThat(browser.getTitle()).contains("Hawtio");
        } finally {
            // what the browser showed, pass or fail: the screenshot and the page behind it
            Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, OUT.resolve("hawtio-routes.png"), StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(OUT.resolve("hawtio-routes.html"), browser.getPageSource());
        }
    }

    /** The texts of the cells of the Camel pane's table (not the tree beside it), among them the route ids. */
    private static List<String> routeTableNames(WebDriver page) {
        return page.findElements(By.cssSelector("#camel-content table tbody tr td")).stream()
                .map(WebElement::getText).map(String::strip).toList();
    }

    private static String env(String name, String otherwise) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? otherwise : value;
    }
}
