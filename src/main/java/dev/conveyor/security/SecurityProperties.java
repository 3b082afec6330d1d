package dev.conveyor.security;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** {@code conveyor.security} in application.yaml; docs/security.md and docs/configuration.md explain each key. */
@ConfigurationProperties("conveyor.security")
public record SecurityProperties(
        // the admin key (CONVEYOR_ADMIN_KEY); empty: one is generated at first start into <data-dir>/admin.key
        @DefaultValue("") String adminKey,
        // the tenant the bootstrap admin key belongs to
        @DefaultValue("default") String adminTenant,
        // /actuator/prometheus without a key, for a scraper that cannot send one
        @DefaultValue("false") boolean publicMetrics,
        // origins a browser page may call the API from; empty: same origin only
        @DefaultValue List<String> corsAllowedOrigins,
        // users that may log in to Hawtio besides operator and admin keys (user name, password hash, role)
        @DefaultValue List<ConsoleUser> consoleUsers,
        // how long a key, once looked up, is trusted without asking the database again; 0: every request asks
        @DefaultValue("5") int keyCacheSeconds) {

    /**
     * A Hawtio user kept in configuration: {@code password-sha256} is the hex SHA-256 of the password, so the
     * file holds no password; {@code role} is operator or admin.
     */
    public record ConsoleUser(String name, String passwordSha256, @DefaultValue("operator") String role) {
    }
}
