package dev.conveyor.intake;

import java.util.List;

/**
 * A request Conveyor refuses: its HTTP status, title and detail (and the errors, when it lists them). Thrown by
 * the intake services whatever the source; an API operation's is answered by {@link ApiProblems} as
 * {@code application/problem+json} (RFC 9457).
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final List<String> errors;

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, List.of());
    }

    public ProblemException(int status, String title, String detail, List<String> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "Bad Request", detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not Found", detail);
    }

    public static ProblemException unprocessable(String detail) {
        return new ProblemException(422, "Unprocessable Content", detail);
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "Content Too Large", detail);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<String> errors() {
        return errors;
    }
}
