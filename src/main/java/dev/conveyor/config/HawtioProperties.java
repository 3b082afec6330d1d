package dev.conveyor.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The two {@code hawtio.*} keys the service itself reads besides Hawtio (which reads all of them): whether its
 * login is on, which decides how the security filter treats Hawtio and Jolokia, and the JAAS realm the login asks,
 * which the service declares when it is its own ({@code conveyor}). Defaults: application.yaml only.
 *
 * @param authenticationEnabled {@code hawtio.authenticationEnabled}: Hawtio's login (HAWTIO_AUTHENTICATION_ENABLED)
 * @param realm                 {@code hawtio.realm}: the JAAS realm of that login (HAWTIO_REALM)
 */
@ConfigurationProperties("hawtio")
public record HawtioProperties(boolean authenticationEnabled, String realm) implements Validator {

    @Override
    public boolean supports(Class<?> type) {
        return HawtioProperties.class.isAssignableFrom(type);
    }

    @Override
    public void validate(Object target, Errors errors) {
        String realm = ((HawtioProperties) target).realm;
        new Checks(errors).holds("realm", realm, realm != null && !realm.isBlank(), "must name a JAAS realm");
    }
}
