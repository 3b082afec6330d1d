package dev.conveyor.security;

import java.util.List;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;

/**
 * The dashboard's login form (/ui/login) sends an API key as its one field; this checks it with the same
 * {@link ApiKeyIntrospector} the API's bearer tokens go through, so a key's role and tenant mean the same in the
 * browser as on the API. The session then keeps the caller it found (its key id, tenant and role), not the key:
 * the authentication carries no credentials.
 */
final class ApiKeyLogin implements AuthenticationProvider {

    private final ApiKeyIntrospector introspector;

    ApiKeyLogin(ApiKeyIntrospector introspector) {
        this.introspector = introspector;
    }

    @Override
    public Authentication authenticate(Authentication form) {
        Object key = form.getCredentials();
        if (!(key instanceof String secret) || secret.isBlank()) {
            throw new BadCredentialsException("an API key is needed");
        }
        OAuth2AuthenticatedPrincipal principal;
        try {
            principal = introspector.introspect(secret.trim());
        } catch (RuntimeException invalid) {
            throw new BadCredentialsException("the API key is not valid or has been revoked", invalid);
        }
        Caller caller = ApiKeyIntrospector.callerOf(principal);
        return UsernamePasswordAuthenticationToken.authenticated(principal, null,
                List.of(new SimpleGrantedAuthority(caller.role().authority())));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
