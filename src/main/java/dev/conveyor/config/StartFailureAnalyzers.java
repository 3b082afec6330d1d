package dev.conveyor.config;

import dev.conveyor.queue.SqsConfig;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.core.Ordered;

/**
 * A start that fails because a port or the data directory is taken, or because the production build lacks what
 * the settings ask for (an embedded PostgreSQL, an embedded ElasticMQ), ends in a short report naming the variable to
 * change, instead of Spring Boot's generic advice ("configure this application to listen on another port") or a
 * stack trace.
 * Registered in META-INF/spring.factories; ordered first so they answer before Spring Boot's own analyzer.
 */
public final class StartFailureAnalyzers {

    private StartFailureAnalyzers() {
    }

    /** The HTTP port ({@code PORT}, 8080 by default). */
    public static final class Web extends AbstractFailureAnalyzer<PortInUseException> implements Ordered {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, PortInUseException cause) {
            return new FailureAnalysis(
                    "Conveyor could not start its web server: port " + cause.getPort() + " is already in use.",
                    "Set PORT to a free port (for example PORT=8081), or stop the program listening on "
                            + cause.getPort() + " (ss -ltnp 'sport = :" + cause.getPort() + "' shows which).",
                    cause);
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }

    /** A second service on the same DATA_DIR: its embedded PostgreSQL is the running one's. */
    public static final class DataDirInUse
            extends AbstractFailureAnalyzer<EmbeddedPostgresLauncher.DataDirInUseException> implements Ordered {
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

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }

    /** The embedded PostgreSQL's port ({@code DB_EMBEDDED_PORT}, 5433 by default). */
    public static final class EmbeddedDatabase
            extends AbstractFailureAnalyzer<EmbeddedPostgresLauncher.EmbeddedPortInUseException> implements Ordered {
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

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }

    /** conveyor-production.jar started without DB_URL: it has no embedded PostgreSQL to fall back on. */
    public static final class NoEmbeddedDatabase
            extends AbstractFailureAnalyzer<DatabaseConfig.NoEmbeddedDatabaseException> implements Ordered {
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

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }

    /** conveyor-production.jar started with SQS_EMBEDDED=true: it has no ElasticMQ. */
    public static final class NoEmbeddedSqs
            extends AbstractFailureAnalyzer<SqsConfig.NoEmbeddedSqsException> implements Ordered {
        @Override
        protected FailureAnalysis analyze(Throwable rootFailure, SqsConfig.NoEmbeddedSqsException cause) {
            return new FailureAnalysis(
                    "SQS_EMBEDDED=true asks for an ElasticMQ inside the service, and this build "
                            + "(conveyor-production.jar) has none.",
                    "Unset SQS_EMBEDDED and set SQS_ENDPOINT to your SQS service (ElasticMQ, LocalStack), or leave"
                            + " SQS_ENDPOINT empty for AWS SQS with the standard AWS credentials. The default build, "
                            + "target/conveyor.jar, carries the embedded ElasticMQ.",
                    cause);
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }
}
