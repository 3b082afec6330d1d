package dev.conveyor.config;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * {@code conveyor.security} in application.yaml; docs/security.md and docs/configuration.md explain each key. Defaults:
 * application.yaml only.
 */
@ConfigurationProperties("conveyor.security")
public record SecurityProperties(
        // the admin key (CONVEYOR_ADMIN_KEY); empty: one is generated at first start into <data-dir>/admin.key
        String adminKey,
        // the tenant the bootstrap admin key belongs to
        String adminTenant,
        // /actuator/prometheus without a key, for a scraper that cannot send one
        boolean publicMetrics,
        // origins a browser page may call the API from; empty: same origin only
        @DefaultValue List<String> corsAllowedOrigins,
        // users that may log in to Hawtio besides operator and admin keys (user name, password hash, role)
        @DefaultValue List<ConsoleUser> consoleUsers,
        // how long a key, once looked up, is trusted without asking the database again; 0: every request asks
        int keyCacheSeconds) implements Validator {

    /**
     * A Hawtio user kept in configuration: {@code password-sha256} is the hex SHA-256 of the password, so the
     * file holds no password; {@code role} is operator or admin, operator when left out (an entry of a list has no
     * default in application.yaml, so this one is the record's).
     */
    public record ConsoleUser(String name, String passwordSha256, @DefaultValue("operator") String role) {
    }

    @Override
    public boolean supports(Class<?> type) {
        return SecurityProperties.class.isAssignableFrom(type);
    }

    @Override
    public void validate(Object target, Errors errors) {
        new Checks(errors).atLeast("keyCacheSeconds", ((SecurityProperties) target).keyCacheSeconds, 0);
    }
}
