package dev.conveyor.config;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The one line that says the service is up and where: the HTTP address, the database (the embedded one's port,
 * or DB_URL's host and port, never its credentials) and the queue backend. Logged once everything has started
 * (the readiness group UP: database, routes started, every consumer polled once). Until then it keeps the health probes'
 * expected failures out of the WARN level ({@link StartupProbeLogFilter}).
 */
@Component
class ReadyLine {

    private static final Logger log = LoggerFactory.getLogger("dev.conveyor.ConveyorApplication");
    private static final Duration READY_WAIT = Duration.ofMinutes(5);

    private final ConveyorProperties properties;
    private final DatabaseConfig.EmbeddedDatabase embedded;
    private final QueueBackend backend;
    private final StartupProbeLogFilter startupProbes = StartupProbeLogFilter.install();
    private volatile ScheduledExecutorService waiter;

    ReadyLine(ConveyorProperties properties, DatabaseConfig.EmbeddedDatabase embedded,
              QueueBackend backend) {
        this.properties = properties;
        this.embedded = embedded;
        this.backend = backend;
    }

    @EventListener(ApplicationReadyEvent.class)
    void started(ApplicationReadyEvent event) {
        String http = event.getApplicationContext() instanceof WebServerApplicationContext web
                && web.getWebServer() != null ? "http://localhost:" + web.getWebServer().getPort() : "(no web server)";
        HealthEndpoint health = event.getApplicationContext().getBeanProvider(HealthEndpoint.class).getIfAvailable();
        if (health == null) {
            ready(http);
            return;
        }
        // readiness also waits for every Camel consumer's first poll, a moment after the context has started:
        // the line is logged once /actuator/health/readiness would answer UP
        waiter = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "conveyor-ready");
            thread.setDaemon(true);
            return thread;
        });
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        waiter.scheduleWithFixedDelay(() -> {
            HealthComponent readiness = health.healthForPath("readiness");
            if (readiness != null && Status.UP.equals(readiness.getStatus())) {
                ready(http);
                waiter.shutdown();
            } else if (System.nanoTime() > deadline) {
                startupProbes.remove();                                      // its failures are news now
                log.warn("Conveyor started on {} but is not ready after {} s: see GET /actuator/health (with a key)",
                        http, READY_WAIT.toSeconds());
                waiter.shutdown();
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
    }

    /** A context closed before it was ready (a failed start, a test's context) stops waiting. */
    @EventListener(ContextClosedEvent.class)
    void closed() {
        if (waiter != null) {
            waiter.shutdownNow();
        }
        startupProbes.remove();
    }

    private void ready(String http) {
        startupProbes.remove();
        log.info("Conveyor ready on {} ({}, queue backend {})", http, database(),
                backend.name().toLowerCase(java.util.Locale.ROOT));
    }

    String database() {
        if (properties.db().embedded()) {
            return "embedded PostgreSQL on localhost:" + embedded.port();
        }
        return "PostgreSQL at " + describe(properties.db().url());
    }

    /** host:port/database of a JDBC URL, without user, password or other parameters. */
    static String describe(String jdbcUrl) {
        Properties parsed = Driver.parseURL(jdbcUrl, new Properties());
        if (parsed == null) {
            return "DB_URL (not a jdbc:postgresql: URL)";
        }
        String[] hosts = parsed.getProperty("PGHOST", "localhost").split(",");
        String[] ports = parsed.getProperty("PGPORT", "5432").split(",");
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < hosts.length; i++) {
            out.append(i == 0 ? "" : ",").append(hosts[i]).append(':').append(ports[Math.min(i, ports.length - 1)]);
        }
        return out.append('/').append(parsed.getProperty("PGDBNAME", "")).toString();
    }
}
