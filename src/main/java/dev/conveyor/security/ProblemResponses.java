package dev.conveyor.security;

import java.io.IOException;
import java.net.URI;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.stereotype.Component;

/** 401 and 403 as application/problem+json, saying what to send instead, like every other refusal of the API. */
@Component
public class ProblemResponses implements AuthenticationEntryPoint, AccessDeniedHandler {

    private final ObjectMapper json;

    public ProblemResponses(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        boolean keySent = e instanceof OAuth2AuthenticationException
                || request.getHeader("Authorization") != null;
        response.setHeader("WWW-Authenticate", keySent ? "Bearer error=\"invalid_token\"" : "Bearer");
        write(request, response, 401, "Unauthorized", keySent
                ? "the API key is not valid or has been revoked; send 'Authorization: Bearer <key>' with a current key"
                : "this endpoint needs an API key: send 'Authorization: Bearer <key>' (a new service writes its "
                        + "first admin key to data/admin.key; docs/security.md)");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        String role = Callers.current().map(caller -> "'" + caller.role().wireName() + "' ").orElse("");
        write(request, response, 403, "Forbidden", "this key's role " + role + "may not " + request.getMethod()
                + " " + request.getRequestURI() + "; docs/security.md lists what each role may do");
    }

    /** The refusal as Spring's ProblemDetail, the shape the API's own refusals have (intake/ApiProblems). */
    private void write(HttpServletRequest request, HttpServletResponse response, int status, String title,
                       String detail) throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(status), detail);
        problem.setTitle(title);
        problem.setInstance(URI.create(request.getRequestURI()));
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
