package dev.conveyor.support;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.Semaphore;
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
 *
 * <p>One browser at a time in the whole build: {@link #open} waits for the others to close, across Failsafe's two
 * forks too (a file lock in {@code target/}). Two Chromiums side by side on two cores, beside the rest of the slow
 * tier, left Hawtio more than a minute to show its navigation after the login, and a CI run failed on it; one at a
 * time, each has the machine's spare CPU to itself.
 */
public final class HeadlessChromium implements AutoCloseable {

    /** The condition for {@code @EnabledIf}: installed, or running under CI (where a missing one then fails). */
    public static final String ENABLED = "dev.conveyor.support.HeadlessChromium#installedOrUnderCi";
    public static final String SKIPPED = "skipped: no Chromium/chromedriver at CHROMIUM_BIN (default /usr/bin/chromium)"
            + " and CHROMEDRIVER_BIN (default /usr/bin/chromedriver); apt-get install chromium chromium-driver to run"
            + " it. With CI=true a missing browser fails instead.";

    static final Path CHROMIUM = Path.of(env("CHROMIUM_BIN", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(env("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"));

    /** Where the forks take turns; {@code target/} is the build's own folder, cleaned with it. */
    static final Path TURN = Path.of("target", "headless-chromium.lock");
    /** The turn within this JVM: a file lock cannot be taken twice by one JVM. */
    private static final Semaphore IN_THIS_JVM = new Semaphore(1);

    private final WebDriver browser;
    private final Path profile;
    private final FileChannel turn;

    private HeadlessChromium(WebDriver browser, Path profile, FileChannel turn) {
        this.browser = browser;
        this.profile = profile;
        this.turn = turn;
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
        FileChannel turn = waitForTurn();
        try {
            return start(out, windowSize, turn);
        } catch (IOException | RuntimeException failed) {
            endTurn(turn);
            throw failed;
        }
    }

    private static HeadlessChromium start(Path out, String windowSize, FileChannel turn) throws IOException {
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
        return new HeadlessChromium(new ChromeDriver(driver, options), profile, turn);
    }

    /** Blocks until no other browser of this build is open; the lock goes with the channel, or with the JVM. */
    private static FileChannel waitForTurn() throws IOException {
        IN_THIS_JVM.acquireUninterruptibly();
        try {
            Files.createDirectories(TURN.getParent());
            FileChannel channel = FileChannel.open(TURN, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                channel.lock();
                return channel;
            } catch (IOException | RuntimeException failed) {
                channel.close();
                throw failed;
            }
        } catch (IOException | RuntimeException failed) {
            IN_THIS_JVM.release();
            throw failed;
        }
    }

    private static void endTurn(FileChannel turn) throws IOException {
        try {
            turn.close();
        } finally {
            IN_THIS_JVM.release();
        }
    }

    public WebDriver browser() {
        return browser;
    }

    /** Quits the browser, removes its profile and lets the next browser start. */
    @Override
    public void close() throws IOException {
        try {
            browser.quit();
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        } finally {
            endTurn(turn);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
