package dev.conveyor.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.core.Ordered;

/**
 * A start that fails because a port is taken ends in a short report naming the variable to change, instead of
 * Spring Boot's generic advice ("configure this application to listen on another port") or a stack trace.
 * Registered in META-INF/spring.factories; ordered first so they answer before Spring Boot's own analyzer.
 */
public final class PortInUseFailureAnalyzers {

    private PortInUseFailureAnalyzers() {
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
}
