package dev.conveyor.intake;

import java.io.IOException;
import java.util.Locale;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * The API takes JSON or CSV bodies, never forms. The servlet layer would parse a form body before any operation
 * sees it (a multipart one eagerly, to disk), so such requests are refused here, before they reach the
 * controllers, with a 415 that says what to send instead; {@link ApiProblems} renders it, as every refusal.
 * {@code curl -d} without {@code -H 'Content-Type: application/json'} ends up here. The dashboard's own forms
 * (/ui/**: a CSRF token and a button, url-encoded) are the one exception; a multipart body is refused there too.
 */
@Component
public class FormBodyGuard extends OncePerRequestFilter {

    /** Where the dashboard's pages are (ui/, SecurityConfig's dashboard chain). */
    static final String DASHBOARD = "/ui/";

    private final HandlerExceptionResolver problems;

    public FormBodyGuard(@Lazy @Qualifier("handlerExceptionResolver") HandlerExceptionResolver problems) {
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String type = request.getContentType();
        if (type == null) {
            return true;
        }
        String lower = type.toLowerCase(Locale.ROOT);
        if (lower.startsWith("application/x-www-form-urlencoded")) {
            return request.getRequestURI().startsWith(DASHBOARD);
        }
        return !lower.startsWith("multipart/form-data");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        problems.resolveException(request, response, null, new ProblemException(415, "Unsupported Media Type",
                "form bodies are not accepted (Content-Type was '" + Echo.of(request.getContentType())
                        + "'); send JSON with Content-Type: application/json, or a CSV to /jobs/csv with "
                        + "Content-Type: text/csv"));
    }
}
