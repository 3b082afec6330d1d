package dev.conveyor.config;

import java.io.IOException;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One dialect, two ways to reach it: the PostgreSQL server named by {@code DB_URL}, or, when that is empty,
 * an embedded PostgreSQL started in-process whose files stay under {@code <data-dir>/postgres}.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfig {

    private static final Logger log = LoggerFactory.getLogger(DatabaseConfig.class);

    @Bean(destroyMethod = "close")
    public EmbeddedDatabase embeddedDatabase(ConveyorProperties properties) throws IOException {
        if (!properties.db().embedded()) {
            return EmbeddedDatabase.none();
        }
        EmbeddedPostgresLauncher launcher = new EmbeddedPostgresLauncher(properties.dataDir(),
                properties.db().embeddedPort(), properties.db().embeddedFast());
        EmbeddedPostgres postgres = launcher.start();
        EmbeddedDatabase database = new EmbeddedDatabase(postgres, launcher.password());
        log.info("Embedded PostgreSQL {} on localhost:{}, data in {}{} — PGPASSFILE={} psql -h localhost -p {} -U {} {}",
                EmbeddedPostgresLauncher.version(postgres, launcher.password()), postgres.getPort(),
                launcher.clusterDir(), properties.db().embeddedFast() ? " (DB_EMBEDDED_FAST: fsync off)" : "",
                launcher.passFile(), postgres.getPort(), EmbeddedPostgresLauncher.SUPERUSER,
                EmbeddedPostgresLauncher.DATABASE);
        return database;
    }

    @Bean(destroyMethod = "close")
    public HikariDataSource dataSource(ConveyorProperties properties, EmbeddedDatabase embedded) {
        ConveyorProperties.Db db = properties.db();
        HikariConfig config = new HikariConfig();
        if (db.embedded()) {
            config.setJdbcUrl(embedded.jdbcUrl());
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

    /** The embedded server's handle; {@link #none()} when a real server is configured. */
    public static final class EmbeddedDatabase implements AutoCloseable {
        private final EmbeddedPostgres postgres;
        private final String password;

        EmbeddedDatabase(EmbeddedPostgres postgres, String password) {
            this.postgres = postgres;
            this.password = password;
        }

        static EmbeddedDatabase none() {
            return new EmbeddedDatabase(null, null);
        }

        String jdbcUrl() {
            return postgres.getJdbcUrl(EmbeddedPostgresLauncher.SUPERUSER, EmbeddedPostgresLauncher.DATABASE);
        }

        /** The embedded server's port; 0 when a real server is configured. */
        public int port() {
            return postgres == null ? 0 : postgres.getPort();
        }

        @Override
        public void close() throws IOException {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

}
