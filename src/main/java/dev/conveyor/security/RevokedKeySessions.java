package dev.conveyor.security;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A dashboard session holds the caller its key stood for at login, not the key; this makes a revocation end that
 * session at its next request, as it refuses the key's next API call: the session is dropped and the request goes
 * on as anonymous, which the dashboard's chain sends to the login page. One lookup by primary key a request.
 */
final class RevokedKeySessions extends OncePerRequestFilter {

    private final ApiKeys keys;

    RevokedKeySessions(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Callers.current().ifPresent(caller -> {
            boolean valid = keys.find(caller.keyId()).filter(key -> !key.revoked()).isPresent();
            if (!valid) {
                HttpSession session = request.getSession(false);
                if (session != null) {
                    session.invalidate();
                }
                SecurityContextHolder.clearContext();
            }
        });
        chain.doFilter(request, response);
    }
}
