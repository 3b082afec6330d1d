package dev.conveyor.support;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.springframework.util.FileSystemUtils;

/**
 * The packaged jar as the slow tier's crash and restart tests start it: extracted by Spring Boot's own jar tools
 * ({@code -Djarmode=tools extract}) and given a class-data-sharing archive made by one training start, once per
 * build of {@code target/conveyor.jar}. A start of the extracted jar with its archive reads the classes it needs
 * from the archive instead of unpacking, parsing and verifying them from the nested jars: on this 2-core machine
 * a start went from about 19 s and 28 s of CPU to about 12 s and 17 s (docs/testing.md), and the slow tier
 * starts the service some twenty-five times.
 *
 * <p>The code is the same classes from the same jar; what only the packaging decides ({@code java -jar
 * target/conveyor.jar} from the README, in the project folder or alone) is what {@code ServiceSmokeIT},
 * {@code JarRunsAloneIT} and {@code ProductionJarIT} start, and they start the jar itself.
 *
 * <p>Two test JVMs may ask at once (the slow tier runs in two forks): a file lock makes the second wait for the
 * first's archive. When the extraction or the training start fails, the tests fall back to the jar itself and
 * say so on stderr: slower, never different.
 */
public final class PreparedJar {

    private static final Path DIR = Path.of("target", "cds");
    private static final Path LOCK = Path.of("target", "cds.lock");
    private static final Path APP = DIR.resolve("app");
    /** The extracted jar's own small jar, whose manifest names the libraries beside it. */
    private static final Path LAUNCHER = APP.resolve("conveyor.jar");
    private static final Path ARCHIVE = DIR.resolve("conveyor.jsa");
    private static final Path STAMP = DIR.resolve("made-from");

    private static List<String> launch;

    private PreparedJar() {
    }

    /** The JVM arguments that start {@link ServiceProcess#JAR} in its prepared form, prepared on first use. */
    public static synchronized List<String> launchArguments() {
        if (launch == null) {
            launch = prepare(ServiceProcess.JAR);
        }
        return launch;
    }

    private static List<String> prepare(Path jar) {
        try {
            Files.createDirectories(LOCK.getParent());
            try (FileChannel channel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                String source = stampOf(jar);
                boolean ready = Files.exists(ARCHIVE) && Files.exists(STAMP)
                        && Files.readString(STAMP, StandardCharsets.UTF_8).equals(source);
                if (!ready) {
                    build(jar);
                    Files.writeString(STAMP, source, StandardCharsets.UTF_8);
                }
            }
            return List.of("-XX:SharedArchiveFile=" + ARCHIVE.toAbsolutePath(),
                    "-jar", LAUNCHER.toAbsolutePath().toString());
        } catch (IOException | RuntimeException e) {
            System.err.println("PreparedJar: " + e.getMessage() + "; the tests start " + jar + " itself (slower)");
            return List.of("-jar", jar.toAbsolutePath().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing " + jar, e);
        }
    }

    /** The jar's size and modification time: a rebuilt jar is prepared again. */
    private static String stampOf(Path jar) throws IOException {
        return jar.toAbsolutePath() + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis();
    }

    private static void build(Path jar) throws IOException, InterruptedException {
        FileSystemUtils.deleteRecursively(DIR);
        Files.createDirectories(DIR);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        run("extract", List.of(java, "-Djarmode=tools", "-jar", jar.toAbsolutePath().toString(),
                "extract", "--destination", APP.toAbsolutePath().toString()), DIR, Map.of());
        // one start that ends once the application context is refreshed, the way Spring Boot trains an archive; in
        // a folder of its own, on its own embedded PostgreSQL, so it touches nothing of the project's or a test's
        Path training = Files.createDirectories(DIR.resolve("training"));
        run("training start", List.of(java, "-XX:ArchiveClassesAtExit=" + ARCHIVE.toAbsolutePath(),
                        "-Dspring.context.exit=onRefresh", "-jar", LAUNCHER.toAbsolutePath().toString()),
                training, Map.of("PORT", Integer.toString(ServiceProcess.freePort()), "DB_EMBEDDED_PORT", "0",
                        "CONVEYOR_ADMIN_KEY", TestKeys.ADMIN));
        if (!Files.exists(ARCHIVE)) {
            throw new IOException("the training start made no archive (see " + logOf("training start") + ")");
        }
        FileSystemUtils.deleteRecursively(training);
    }

    private static void run(String what, List<String> command, Path directory, Map<String, String> environment)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logOf(what).toFile());
        Map<String, String> env = builder.environment();
        ServiceProcess.withoutCallersDatabase(env);
        ServiceProcess.withoutProjectFolders(env);
        env.putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("the " + what + " took over 5 minutes");
        }
        if (process.exitValue() != 0) {
            throw new IOException("the " + what + " ended with " + process.exitValue() + " (see " + logOf(what) + ")");
        }
    }

    /** Where a step's output goes: target/cds/extract.log, target/cds/training-start.log. */
    private static Path logOf(String what) {
        return DIR.resolve(what.replace(' ', '-') + ".log");
    }
}
