package dev.conveyor.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged service (target/conveyor.jar, or its {@link #PREPARED} form) in a process of its own, started from
 * the project directory the way the README runs it: with no DB_URL (the embedded PostgreSQL) unless the caller's
 * environment names one, and the memory backend. The embedded PostgreSQL runs durable (fsync on) as it does for a
 * user, on a free port unless the caller names one.
 */
public final class ServiceProcess implements AutoCloseable {

    /** The default build, with the embedded PostgreSQL: what the README runs. */
    public static final Path JAR = Path.of("target", "conveyor.jar");
    /**
     * The default build as the crash and restart tests start it: extracted, with a class-data-sharing archive
     * ({@link PreparedJar}), the same classes started in about two thirds of the time.
     */
    public static final Path PREPARED = Path.of("target", "cds", "app", "conveyor.jar");
    /** The production build: no embedded PostgreSQL or ElasticMQ. */
    public static final Path PRODUCTION_JAR = Path.of("target", "conveyor-production.jar");

    private final Process process;
    private final Api api;

    private ServiceProcess(Process process, int port) {
        this.process = process;
        this.api = new Api(port);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Starts the default build, {@link #PREPARED}, in the project directory and waits until it answers its health
     * check. A test of the packaging itself starts {@link #JAR}.
     */
    public static ServiceProcess start(String name, int port, Map<String, String> environment, String... jvmArgs)
            throws IOException {
        return start(name, port, PREPARED, null, environment, jvmArgs);
    }

    /**
     * Starts the service packaged in {@code jar} in {@code workDir} (null: the project directory) and waits until it
     * answers its health check. In a work directory of its own it finds nothing of the project's: ROUTES_DIR,
     * SCHEMAS_DIR and RULES_DIR are unset, so it runs on what its jar carries.
     */
    public static ServiceProcess start(String name, int port, Path jar, Path workDir, Map<String, String> environment,
                                       String... jvmArgs) throws IOException {
        return start(Duration.ofSeconds(180), name, port, jar, workDir, environment, jvmArgs);
    }

    /** As {@link #start(String, int, Path, Path, Map, String...)}, waiting up to {@code wait} for the health check. */
    public static ServiceProcess start(Duration wait, String name, int port, Path jar, Path workDir,
                                       Map<String, String> environment, String... jvmArgs) throws IOException {
        assertThat(jar.equals(PREPARED) ? JAR : jar).exists();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmArgs));
        command.addAll(jar.equals(PREPARED) ? PreparedJar.launchArguments()
                : List.of("-jar", jar.toAbsolutePath().toString()));
        Path log = log(name);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir == null ? new File(".").getAbsoluteFile() : workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        withoutCallersDatabase(env);
        if (workDir != null) {
            withoutProjectFolders(env);
        }
        env.put("PORT", Integer.toString(port));
        // any free port for the embedded PostgreSQL, not the fixed 5433: other test runs and a developer's own
        // service share this machine; a test that needs a fixed one (a restart on the same port) passes it
        env.put("DB_EMBEDDED_PORT", "0");
        env.put("CONVEYOR_ADMIN_KEY", TestKeys.ADMIN);
        env.putAll(environment);
        ServiceProcess service = new ServiceProcess(builder.start(), port);
        try {
            // polled every 100 ms: a start is over when the health check first answers, not up to half a second
            // later (about 27 starts in the slow tier); a refused connection or a 503 costs the starting service
            // next to nothing
            await().atMost(wait).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> {
                        assertThat(service.process.isAlive()).as("service is running (see " + log + ")").isTrue();
                        return service.api.get("/actuator/health").statusCode() == 200;
                    });
        } catch (RuntimeException | Error e) {
            // a service that did not come up in time must not outlive the test (nor keep writing to its schema)
            service.process.destroyForcibly();
            throw e;
        }
        return service;
    }

    /** The caller's DB_URL and credentials are not the service's: it runs on what its own environment names. */
    static void withoutCallersDatabase(Map<String, String> env) {
        env.remove("DB_URL");
        env.remove("DB_USER");
        env.remove("DB_PASSWORD");
    }

    /** Outside the project directory the service runs on what its jar carries, not the project's folders. */
    static void withoutProjectFolders(Map<String, String> env) {
        env.remove("ROUTES_DIR");
        env.remove("SCHEMAS_DIR");
        env.remove("RULES_DIR");
    }

    public Api api() {
        return api;
    }

    public long pid() {
        return process.pid();
    }

    /** The file the service's output goes to. */
    public static Path log(String name) {
        return Path.of("target", "service-" + name + ".log");
    }

    /** The process's peak resident set size (VmHWM), in KiB, from /proc; -1 where /proc has none. */
    public long peakRssKib() throws IOException {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        if (!Files.exists(status)) {
            return -1;
        }
        return Files.readAllLines(status).stream().filter(line -> line.startsWith("VmHWM:"))
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", ""))).findFirst().orElse(-1L);
    }

    /** SIGKILL (kill -9): the process gets no chance to clean up. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the process to end; true when it ended by itself. */
    public boolean stop() throws InterruptedException {
        process.destroy();
        return process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive() && !stop()) {
            process.destroyForcibly();
        }
    }
}
