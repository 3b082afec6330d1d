package dev.conveyor.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationErrors;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.core.Ordered;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * A start that fails because a port or the data directory is taken, because a setting has a value it cannot take,
 * or because the production build lacks what the settings ask for (an embedded PostgreSQL, an embedded ElasticMQ),
 * ends in a short report naming the variable to change, instead of Spring Boot's generic advice ("configure this
 * application to listen on another port") or a stack trace.
 * Registered in META-INF/spring.factories; ordered first so they answer before Spring Boot's own analyzer.
 */
public final class StartFailureAnalyzers {

    /** Ours answer before Spring Boot's own, which would describe the same failure less precisely. */
    abstract static class FirstAnalyzer<T extends Throwable> extends AbstractFailureAnalyzer<T> implements Ordered {
        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }

    private StartFailureAnalyzers() {
    }

    /** The HTTP port ({@code PORT}, 8080 by default). */
    public static final class Web extends FirstAnalyzer<PortInUseException> {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, PortInUseException cause) {
            return new FailureAnalysis(
                    "Conveyor could not start its web server: port " + cause.getPort() + " is already in use.",
                    "Set PORT to a free port (for example PORT=8081), or stop the program listening on "
                            + cause.getPort() + " (ss -ltnp 'sport = :" + cause.getPort() + "' shows which).",
                    cause);
        }
    }

    /** A second service on the same DATA_DIR: its embedded PostgreSQL is the running one's. */
    public static final class DataDirInUse
            extends FirstAnalyzer<EmbeddedPostgresLauncher.DataDirInUseException> {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, EmbeddedPostgresLauncher.DataDirInUseException cause) {
            java.nio.file.Path pidFile = cause.dataDir().resolve("conveyor.pid");
            String pid = "";
            try {
                pid = java.nio.file.Files.readString(pidFile).trim();
            } catch (java.io.IOException | RuntimeException e) {
                // not written yet (that service is still starting) or gone: the advice below names the file anyway
            }
            return new FailureAnalysis(
                    "Another Conveyor" + (pid.isEmpty() ? "" : " (pid " + pid + ")") + " is running on DATA_DIR "
                            + cause.dataDir() + ": it uses the embedded PostgreSQL in " + cause.dataDir()
                            .resolve("postgres") + ", which one service at a time can run.",
                    "Stop that service (kill \"$(cat " + pidFile + ")\"), or start this one with another DATA_DIR "
                            + "(and PORT and DB_EMBEDDED_PORT), or set DB_URL to a PostgreSQL server both can share.",
                    cause);
        }
    }

    /** The embedded PostgreSQL's port ({@code DB_EMBEDDED_PORT}, 5433 by default). */
    public static final class EmbeddedDatabase
            extends FirstAnalyzer<EmbeddedPostgresLauncher.EmbeddedPortInUseException> {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure,
                                          EmbeddedPostgresLauncher.EmbeddedPortInUseException cause) {
            return new FailureAnalysis(
                    "The embedded PostgreSQL could not start: port " + cause.port() + " on localhost is already in "
                            + "use (by another PostgreSQL, or a Conveyor running on another DATA_DIR).",
                    "Set DB_EMBEDDED_PORT to a free port (DB_EMBEDDED_PORT=0 picks any free one), or stop the "
                            + "program listening on " + cause.port() + " (ss -ltnp 'sport = :" + cause.port()
                            + "' shows which), or set DB_URL to use a PostgreSQL server of your own.",
                    cause);
        }
    }

    /** conveyor-production.jar started without DB_URL: it has no embedded PostgreSQL to fall back on. */
    public static final class NoEmbeddedDatabase
            extends FirstAnalyzer<DatabaseConfig.NoEmbeddedDatabaseException> {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, DatabaseConfig.NoEmbeddedDatabaseException cause) {
            return new FailureAnalysis(
                    "Conveyor needs a PostgreSQL server: DB_URL is not set, and this build (conveyor-production.jar)"
                            + " has no embedded PostgreSQL.",
                    "Set DB_URL=jdbc:postgresql://<host>:5432/<database>, with DB_USER and DB_PASSWORD (docs/"
                            + "configuration.md, \"Database\"). To try Conveyor without a server, run the default "
                            + "build instead, target/conveyor.jar, which starts an embedded PostgreSQL.",
                    cause);
        }
    }

    /** conveyor-production.jar started with SQS_EMBEDDED=true: it has no ElasticMQ. */
    public static final class NoEmbeddedSqs
            extends FirstAnalyzer<NoEmbeddedSqsException> {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, NoEmbeddedSqsException cause) {
            return new FailureAnalysis(
                    "SQS_EMBEDDED=true asks for an ElasticMQ inside the service, and this build "
                            + "(conveyor-production.jar) has none.",
                    "Unset SQS_EMBEDDED and set SQS_ENDPOINT to your SQS service (ElasticMQ, LocalStack), or leave"
                            + " SQS_ENDPOINT empty for AWS SQS with the standard AWS credentials. The default build, "
                            + "target/conveyor.jar, carries the embedded ElasticMQ.",
                    cause);
        }
    }

    /**
     * A {@code conveyor.*} or {@code hawtio.*} value the configuration model refuses: one that cannot be read as its
     * type ({@code QUEUE_BACKEND=rabbit}, {@code BATCH_SIZE=many}) or that breaks a record's bounds ({@link Checks}:
     * a negative batch size). The report names each key, the environment variable application.yaml reads it from,
     * the value, and what is allowed.
     */
    public static final class BadSetting extends FirstAnalyzer<BindException> {

        /** The variable of a value written {@code ${VARIABLE:default}} in application.yaml. */
        private static final Pattern VARIABLE = Pattern.compile("^\\$\\{([A-Za-z_][A-Za-z0-9_]*)[:}]");

        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
            String root = cause.getName().toString();
            if (!root.equals("conveyor") && !root.startsWith("conveyor.") && !root.equals("hawtio")
                    && !root.startsWith("hawtio.")) {
                return null;
            }
            List<String> problems = new ArrayList<>();
            if (cause.getCause() instanceof BindValidationException invalid) {
                ValidationErrors errors = invalid.getValidationErrors();
                for (ObjectError error : errors) {
                    if (error instanceof FieldError field) {
                        ConfigurationPropertyName key = errors.getName()
                                .append(DataObjectPropertyName.toDashedForm(field.getField()));
                        problems.add(describe(key, property(errors, key)) + ": " + error.getDefaultMessage());
                    } else {
                        problems.add(root + ": " + error.getDefaultMessage());
                    }
                }
            } else {
                problems.add(unreadable(cause));
            }
            String many = problems.size() == 1 ? "a setting" : problems.size() + " settings";
            return new FailureAnalysis(
                    "Conveyor did not start: " + many + " cannot be used.\n\n    "
                            + String.join("\n    ", problems),
                    "Correct the value (or unset the variable to take application.yaml's default) and start again. "
                            + "docs/configuration.md describes every key, its variable and what it may be.",
                    cause);
        }

        /** A value that could not be converted to the key's type, or a record that refused it. */
        private static String unreadable(BindException cause) {
            ConfigurationProperty property = cause.getProperty();
            if (property == null || !property.getName().equals(cause.getName())) {
                // a record that refused its values as a whole (its constructor threw): its own message says why
                return cause.getName() + ": " + rootMessage(cause);
            }
            Throwable conversion = cause;
            while (conversion != null && !(conversion instanceof ConversionFailedException)) {
                conversion = conversion.getCause();
            }
            Object value = conversion != null ? ((ConversionFailedException) conversion).getValue()
                    : property.getValue();
            Class<?> type = cause.getTarget().getType().resolve(Object.class);
            String allowed;
            if (type.isEnum()) {
                allowed = "must be one of " + Arrays.stream(type.getEnumConstants())
                        .map(constant -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", "));
            } else if (type == java.time.Duration.class) {
                allowed = "must be a duration (500ms, 30s, 10m, 2h)";
            } else if (type == int.class || type == long.class || type == short.class || type == Integer.class
                    || type == Long.class || type == Short.class) {
                allowed = "must be a whole number";
            } else if (type == boolean.class || type == Boolean.class) {
                allowed = "must be true or false";
            } else {
                allowed = "cannot be read as " + type.getSimpleName() + " (" + rootMessage(cause) + ")";
            }
            return describe(property.getName(), property) + ": " + allowed + " (is '" + value + "')";
        }

        /** The key, and where its value came from: the variable application.yaml names, or the origin. */
        private static String describe(ConfigurationPropertyName key, ConfigurationProperty property) {
            if (property == null) {
                return key.toString();
            }
            Matcher variable = VARIABLE.matcher(String.valueOf(property.getValue()));
            if (variable.find()) {
                return key + " (" + variable.group(1) + ")";
            }
            return property.getOrigin() != null ? key + " (from " + property.getOrigin() + ")" : key.toString();
        }

        private static ConfigurationProperty property(ValidationErrors errors, ConfigurationPropertyName key) {
            return errors.getBoundProperties().stream().filter(bound -> bound.getName().equals(key)).findFirst()
                    .orElse(null);
        }

        private static String rootMessage(Throwable failure) {
            Throwable deepest = failure;
            while (deepest.getCause() != null && deepest.getCause() != deepest) {
                deepest = deepest.getCause();
            }
            return deepest.getMessage();
        }
    }
}
