package dev.conveyor.security;

import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;

/**
 * The caller of a request, read from the request attribute in which the bearer-token filter keeps the security
 * context, not from Spring Security's thread-bound context: so it answers on whatever thread handles the request.
 */
public final class Callers {

    private static final RequestAttributeSecurityContextRepository REQUEST_CONTEXT =
            new RequestAttributeSecurityContextRepository();

    private Callers() {
    }

    /** The caller of the request; empty when it came without a valid key (a path open to anyone). */
    public static Optional<Caller> of(HttpServletRequest request) {
        SecurityContext context = REQUEST_CONTEXT.loadDeferredContext(request).get();
        return context == null ? Optional.empty() : of(context.getAuthentication());
    }

    /** The caller on this thread (inside Spring Security's filters). */
    public static Optional<Caller> current() {
        return of(SecurityContextHolder.getContext().getAuthentication());
    }

    private static Optional<Caller> of(Authentication authentication) {
        if (authentication != null && authentication.getPrincipal() instanceof OAuth2AuthenticatedPrincipal p
                && p.getAttribute(ApiKeyIntrospector.CALLER) instanceof Caller caller) {
            return Optional.of(caller);
        }
        return Optional.empty();
    }
}
