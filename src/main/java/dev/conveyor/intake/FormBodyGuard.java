package dev.conveyor.intake;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The API takes JSON or CSV bodies, never forms. The HTTP layer would try to parse a form body before any
 * route sees it (and fail with an opaque 500), so such requests are answered here with a 415 that says
 * what to send instead. {@code curl -d} without {@code -H 'Content-Type: application/json'} ends up here.
 */
@Component
public class FormBodyGuard extends OncePerRequestFilter {

    private final ObjectMapper json;

    public FormBodyGuard(ObjectMapper json) {
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String type = request.getContentType();
        return type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")
                && !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        response.setStatus(415);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        String detail = "form bodies are not accepted (Content-Type was '" + Echo.of(request.getContentType())
                + "'); send JSON with Content-Type: application/json, or a CSV to /jobs/csv with "
                + "Content-Type: text/csv";
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", "Unsupported Media Type");
        problem.put("status", 415);
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        json.writeValue(response.getWriter(), problem);
    }
}
