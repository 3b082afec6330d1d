package dev.conveyor.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;


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
        Path dir = properties.dataDir().resolve("postgres").toAbsolutePath();
        Files.createDirectories(dir);
        log.info("DB_URL is not set: starting an embedded PostgreSQL with its data in {}", dir);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                // Spring closes it once the service has stopped: a JVM hook of its own could stop it first
                .setRegisterShutdownHook(false)
                .setPort(properties.db().embeddedPort())
                .start();
        return new EmbeddedDatabase(postgres);
    }

    @Bean(destroyMethod = "close")
    public HikariDataSource dataSource(ConveyorProperties properties, EmbeddedDatabase embedded) {
        ConveyorProperties.Db db = properties.db();
        HikariConfig config = new HikariConfig();
        if (db.embedded()) {
            config.setJdbcUrl(embedded.jdbcUrl());
            config.setUsername("postgres");
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

        EmbeddedDatabase(EmbeddedPostgres postgres) {
            this.postgres = postgres;
        }

        static EmbeddedDatabase none() {
            return new EmbeddedDatabase(null);
        }

        String jdbcUrl() {
            return postgres.getJdbcUrl("postgres", "postgres");
        }

        @Override
        public void close() throws IOException {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

}
