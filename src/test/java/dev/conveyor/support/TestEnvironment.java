package dev.conveyor.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.support.TestPropertySourceUtils;

/**
 * Gives each test application context its own database schema, data directory and inbox, so tests never see
 * each other's jobs, and removes the schema when the context closes.
 */
public class TestEnvironment implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    /** Where Spring puts a class's @DynamicPropertySource values; they outrank the shared defaults too. */
    private static final String DYNAMIC_PROPERTIES = "Dynamic Test Properties";

    /** The folder bulk_import may read files from in every test context; tests put their source files here. */
    public static final String ALLOWED_DIR = "target/test-allowed-files";

    /**
     * Settings every test context shares, so that a test class needs properties of its own (and so a Spring
     * context of its own, started for it alone) only for what no other test could live with: a quick pace for
     * the timers and retries tests wait on, the log event sink on, and the test-only job types
     * ({@link TestJobTypes}, imported by {@link ConveyorIntegrationTest}) given a short time limit.
     */
    static final Map<String, Object> SHARED_DEFAULTS = Map.ofEntries(
            Map.entry("conveyor.retry.backoff-initial", "50ms"),
            Map.entry("conveyor.retry.backoff-max", "200ms"),
            Map.entry("conveyor.retry.types.test_flaky_limited.time-limit", "2s"),
            Map.entry("conveyor.worker.max-attempts", "3"),
            // the dashboard's Grafana link, shown on every page when set (never called: the tests only read it)
            Map.entry("conveyor.ui.grafana-url", "http://grafana.test:3000/d/conveyor"),
            Map.entry("conveyor.worker.reaper-period-ms", "200"),
            Map.entry("conveyor.metrics.queue-depth-period-ms", "200"),
            Map.entry("conveyor.telemetry.progress.every-seconds", "1"),
            Map.entry("conveyor.telemetry.sinks.log.enabled", "true"),
            Map.entry("conveyor.telemetry.sinks.flush-interval-ms", "100"),
            Map.entry("conveyor.bulk-import.allowed-dir", ALLOWED_DIR),
            // batch webhooks to the tests' own receivers on 127.0.0.1 (BatchWebhooksTest); 10.20.30.40 is an allowed
            // host whose address stays refused, for the address gate; no other test gives a batch a webhook
            Map.entry("conveyor.batches.webhooks.allowed-hosts", "127.0.0.1,10.20.30.40"),
            Map.entry("conveyor.batches.webhooks.allowed-addresses", "127.0.0.1/32"),
            Map.entry("conveyor.batches.webhooks.secret", "test-webhook-secret"),
            Map.entry("conveyor.batches.webhooks.timeout", "5s"),
            // limits of test-only types (PerKeyLimitsTest): no other test submits them
            Map.entry("conveyor.limits.test_keyed.concurrency.key", "key"),
            Map.entry("conveyor.limits.test_keyed.concurrency.max", "1"),
            Map.entry("conveyor.limits.test_keyed_wide.concurrency.key", "tenant"),
            Map.entry("conveyor.limits.test_keyed_wide.concurrency.max", "20"),
            Map.entry("conveyor.limits.test_rated.rate.key", "key"),
            Map.entry("conveyor.limits.test_rated.rate.per-second", "5"),
            Map.entry("conveyor.limits.test_rated.rate.burst", "2"));

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Path dataDir;
        Path inboxDir;
        try {
            dataDir = Files.createTempDirectory("conveyor-test-data");
            inboxDir = Files.createTempDirectory("conveyor-test-inbox");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("conveyor-test", Map.of(
                "conveyor.db.url", TestDatabase.url(),
                "conveyor.db.user", TestDatabase.user(),
                "conveyor.db.password", TestDatabase.password(),
                "conveyor.db.schema", schema,
                "spring.flyway.schemas", schema,
                "conveyor.data-dir", dataDir.toString(),
                "conveyor.inbox.dir", inboxDir.toString(),
                "conveyor.inbox.settle-ms", "300",
                "conveyor.inbox.poll-ms", "200",
                "conveyor.sql.poll-ms", "200")));
        // below a test class's own properties (@TestPropertySource), above application.yaml
        Map<String, Object> defaults = new HashMap<>(SHARED_DEFAULTS);
        defaults.put("conveyor.security.admin-key", TestKeys.ADMIN);
        // within what a test may move the clock (MutableClock): a file left in .done/ without a job is an orphan
        // after 20 s of test time, not 5 minutes (InboxOrphansTest)
        defaults.put("conveyor.inbox.orphan-after-ms", "20000");
        // tests ask for orphans themselves, when they have set the scene, rather than race the route's timer
        defaults.put("conveyor.inbox.orphan-check-ms", "3600000");
        // the batches of files dropped in this one folder carry a callback (BatchesTest); no other test drops there
        defaults.put("conveyor.batches.inbox-callbacks[0].folder", "batch_cb_mkt");
        defaults.put("conveyor.batches.inbox-callbacks[0].on-complete", "{\"type\":\"test_flaky\",\"payload\":"
                + "{\"mode\":\"permanent\",\"fail_times\":0},\"correlation_id\":\"after-{marketplace}-{category}\"}");
        // a Hawtio login realm of its own: the services of a test JVM share its JAAS configuration
        defaults.put("hawtio.realm", "conveyor-" + schema);
        MapPropertySource testDefaults = new MapPropertySource("conveyor-test-defaults", defaults);
        String inlined = TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME;
        if (context.getEnvironment().getPropertySources().contains(inlined)) {
            context.getEnvironment().getPropertySources().addAfter(inlined, testDefaults);
        } else if (context.getEnvironment().getPropertySources().contains(DYNAMIC_PROPERTIES)) {
            context.getEnvironment().getPropertySources().addAfter(DYNAMIC_PROPERTIES, testDefaults);
        } else {
            context.getEnvironment().getPropertySources().addFirst(testDefaults);
        }
        // Many contexts live at once in a test JVM (Spring caches them): keep each one's share of the server's
        // 100 connections small.
        context.getEnvironment().getPropertySources().addLast(new MapPropertySource("conveyor-test-pool",
                Map.of("conveyor.db.pool-size", "8")));
        // The whole suite validates every event it produces against schemas/events (see EventSchemas): an
        // event that breaks its schema fails the step that emitted it, and so the test that produced it.
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("conveyor-test-telemetry",
                Map.of("conveyor.telemetry.validate-events", "true")));
        // The schema goes once the context is gone, not when it starts to close: Camel's routes stop after
        // ContextClosedEvent, and a schema dropped under them fails what they still run (the dispatcher's next
        // round, the metrics sampler, the lease hand-back). Registered first, this is destroyed last, after Camel
        // and the pool (and also when a start fails, which publishes no ContextClosedEvent).
        ((DefaultSingletonBeanRegistry) context.getBeanFactory())
                .registerDisposableBean("conveyorTestSchema", () -> dropSchema(schema));
    }

    static void dropSchema(String schema) {
        try (Connection connection = DriverManager.getConnection(TestDatabase.url(), TestDatabase.user(),
                TestDatabase.password()); Statement statement = connection.createStatement()) {
            statement.execute("SET lock_timeout = '10s'");
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            // a leftover schema costs disk only; say so and carry on closing
            System.err.println("could not drop test schema " + schema + ": " + e.getMessage());
        }
    }
}
