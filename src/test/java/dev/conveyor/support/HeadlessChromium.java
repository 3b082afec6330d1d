package dev.conveyor.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The machine's headless Chromium and chromedriver (Debian's {@code chromium chromium-driver}, or CHROMIUM_BIN and
 * CHROMEDRIVER_BIN), for the browser tests. A browser test runs when they are installed, and under CI=true always,
 * so that a missing browser fails there instead of skipping: {@code @EnabledIf(HeadlessChromium.ENABLED)} and
 * {@link #requireInstalled} in {@code @BeforeAll}. Each {@link #open} starts a browser with a profile of its own,
 * which {@link #close} removes.
 */
public final class HeadlessChromium implements AutoCloseable {

    /** The condition for {@code @EnabledIf}: installed, or running under CI (where a missing one then fails). */
    public static final String ENABLED = "dev.conveyor.support.HeadlessChromium#installedOrUnderCi";
    public static final String SKIPPED = "skipped: no Chromium/chromedriver at CHROMIUM_BIN (default /usr/bin/chromium)"
            + " and CHROMEDRIVER_BIN (default /usr/bin/chromedriver); apt-get install chromium chromium-driver to run"
            + " it. With CI=true a missing browser fails instead.";

    static final Path CHROMIUM = Path.of(env("CHROMIUM_BIN", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(env("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"));

    private final WebDriver browser;
    private final Path profile;

    private HeadlessChromium(WebDriver browser, Path profile) {
        this.browser = browser;
        this.profile = profile;
    }

    public static boolean installedOrUnderCi() {
        return installed() || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** Fails, saying how to install them, when Chromium or chromedriver is missing. */
    public static void requireInstalled(String forWhat) {
        assertThat(installed()).as("Chromium (" + CHROMIUM + ") and chromedriver (" + CHROMEDRIVER + ") are needed "
                + forWhat + ": apt-get install chromium chromium-driver (or set CHROMIUM_BIN and CHROMEDRIVER_BIN)."
                + " CI=true, so a missing browser fails the build instead of skipping the test.").isTrue();
    }

    /**
     * A headless browser with a window of {@code windowSize} ("1366,900"), started with the flags that keep it from
     * calling out (no background networking, updates or sync); chromedriver logs to {@code out}/chromedriver.log.
     */
    public static HeadlessChromium open(Path out, String windowSize) throws IOException {
        Files.createDirectories(out);
        Path profile = Files.createTempDirectory("conveyor-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                "--disable-dev-shm-usage", "--window-size=" + windowSize, "--user-data-dir=" + profile);
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(out.resolve("chromedriver.log").toFile())
                .build();
        return new HeadlessChromium(new ChromeDriver(driver, options), profile);
    }

    public WebDriver browser() {
        return browser;
    }

    /** Quits the browser and removes its profile. */
    @Override
    public void close() throws IOException {
        browser.quit();
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
