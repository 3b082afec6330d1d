package dev.conveyor.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.conveyor.ConveyorApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A whole Conveyor (Spring context, routes, web server) started in this JVM on a given database schema,
 * so a test can run several instances side by side, or stop one and start another on the same data.
 */
public final class ConveyorInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private ConveyorInstance(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** A fresh schema name, usable as a topic or queue prefix too. */
    public static String newSchema() {
        return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    public static ConveyorInstance start(String name, String schema, Map<String, String> properties) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("conveyor.db.url", TestDatabase.url());
        all.put("conveyor.db.user", TestDatabase.user());
        all.put("conveyor.db.password", TestDatabase.password());
        all.put("conveyor.db.schema", schema);
        all.put("spring.flyway.schemas", schema);
        all.put("conveyor.instance-id", name);
        all.put("conveyor.security.admin-key", TestKeys.ADMIN);
        all.put("hawtio.realm", "conveyor-" + schema);
        all.put("server.port", "0");
        all.put("conveyor.inbox.enabled", "false");
        all.put("conveyor.telemetry.validate-events", "true");
        all.put("conveyor.retry.backoff-initial", "50ms");
        all.put("conveyor.retry.backoff-max", "200ms");
        try {
            all.put("conveyor.data-dir", Files.createTempDirectory("conveyor-" + name).toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        all.putAll(properties);
        List<String> args = new ArrayList<>();
        // command-line arguments outrank application.yaml, as the test's settings must
        all.forEach((key, value) -> args.add("--" + key + "=" + value));
        return new ConveyorInstance(new SpringApplicationBuilder(ConveyorApplication.class, TestJobTypes.class)
                .run(args.toArray(String[]::new)));
    }

    public Api api() {
        return new Api(((WebServerApplicationContext) context).getWebServer().getPort());
    }

    public JdbcTemplate jdbc() {
        return context.getBean(JdbcTemplate.class);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }

    /** Removes a schema the instances of a test used. */
    public static void dropSchema(String schema) {
        TestEnvironment.dropSchema(schema);
    }
}
