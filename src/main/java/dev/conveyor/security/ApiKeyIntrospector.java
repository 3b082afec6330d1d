package dev.conveyor.security;

import java.util.List;
import java.util.Map;

import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.DefaultOAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;
import org.springframework.stereotype.Component;

/**
 * Spring Security's resource server reads the bearer token (RFC 6750: the Authorization header only, never a
 * query parameter) and asks this for the caller: our API keys are opaque tokens that the api_keys table knows.
 */
@Component
public class ApiKeyIntrospector implements OpaqueTokenIntrospector {

    static final String CALLER = "conveyor.caller";

    private final ApiKeys keys;

    public ApiKeyIntrospector(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public OAuth2AuthenticatedPrincipal introspect(String token) {
        Caller caller = keys.authenticate(token)
                .orElseThrow(() -> new BadOpaqueTokenException("the API key is not valid or has been revoked"));
        return new DefaultOAuth2AuthenticatedPrincipal(caller.keyId(), Map.of(CALLER, caller),
                List.of(new SimpleGrantedAuthority(caller.role().authority())));
    }

    /** The caller behind a principal this introspector made. */
    public static Caller callerOf(OAuth2AuthenticatedPrincipal principal) {
        return principal.getAttribute(CALLER);
    }
}
