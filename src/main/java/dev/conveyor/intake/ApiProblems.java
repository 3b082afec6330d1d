package dev.conveyor.intake;

import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one place the API's refusals become {@code application/problem+json} (RFC 9457, Spring's
 * {@link ProblemDetail}): a {@link ProblemException} from a controller or a service keeps its status, title and
 * detail, with {@code errors} when it lists them; Spring MVC's own refusals (a wrong Content-Type, a missing or
 * ill-typed parameter, a path of no operation) get theirs from {@link ResponseEntityExceptionHandler}, their
 * detail said the way the rest of the API says it; anything else is a 500 that names its log line.
 * {@link FormBodyGuard}, a filter in front of the controllers, hands its refusal here too.
 */
@RestControllerAdvice
public class ApiProblems extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiProblems.class);

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<ProblemDetail> refused(ProblemException problem) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(problem.status()),
                problem.getMessage());
        body.setTitle(problem.title());
        if (problem instanceof BatchProblemException batch) {
            body.setProperty("errors", batch.items());
        } else if (!problem.errors().isEmpty()) {
            body.setProperty("errors", problem.errors());
        }
        if (problem instanceof UniqueKeyConflictException held) {
            // the job a script may wait on or cancel instead of submitting another
            body.setProperty("job_id", held.jobId());
        }
        return ResponseEntity.status(problem.status()).body(body);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> failed(Exception e, HttpServletRequest request) {
        String incident = UUID.randomUUID().toString();
        log.error("{} {} failed (incident {})", request.getMethod(), request.getRequestURI(), incident, e);
        return refused(new ProblemException(500, "Internal Server Error", "the request could not be completed; "
                + "nothing was created (see the service log, incident " + incident + ")"));
    }

    /** 415 that says which Content-Type the operation takes. */
    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(HttpMediaTypeNotSupportedException e,
                                                                     HttpHeaders headers, HttpStatusCode status,
                                                                     WebRequest request) {
        // Spring reads a request without a Content-Type as application/octet-stream; say that none was sent
        MediaType sent = request.getHeader(HttpHeaders.CONTENT_TYPE) == null ? null : e.getContentType();
        String accepted = String.join(" or ", e.getSupportedMediaTypes().stream().map(MediaType::toString).toList());
        return problem(new ProblemException(415, "Unsupported Media Type", "send the body with Content-Type: "
                + accepted + " (was " + (sent == null ? "none" : "'" + Echo.of(sent.toString()) + "'") + ")"));
    }

    /** A required query parameter that is missing is the request's content at fault: 422, as a missing field. */
    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException e,
                                                                          HttpHeaders headers, HttpStatusCode status,
                                                                          WebRequest request) {
        return problem(ProblemException.unprocessable("query parameter '" + e.getParameterName() + "' is required"));
    }

    /**
     * A parameter whose value does not convert: the refusal its type gave when it has one (such as
     * {@link PageLimit}'s), else a 400 that names the parameter.
     */
    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException e, HttpHeaders headers,
                                                        HttpStatusCode status, WebRequest request) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProblemException problem) {
                return problem(problem);
            }
        }
        String name = e instanceof MethodArgumentTypeMismatchException argument ? argument.getName()
                : e.getPropertyName();
        String expected = e instanceof MethodArgumentTypeMismatchException argument ? expected(argument.getParameter())
                : "a value of another type";
        return problem(ProblemException.badRequest("'" + name + "' must be " + expected + " (was '"
                + Echo.of(String.valueOf(e.getValue())) + "')"));
    }

    private static String expected(MethodParameter parameter) {
        Class<?> type = parameter.getParameterType();
        if (type == java.time.OffsetDateTime.class) {
            return "an ISO-8601 date-time with an offset";
        }
        return "a " + type.getSimpleName();
    }

    private ResponseEntity<Object> problem(ProblemException problem) {
        return ResponseEntity.status(problem.status()).body(refused(problem).getBody());
    }
}
