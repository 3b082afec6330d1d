package dev.conveyor.inbox;

/**
 * A file the inbox will not make a job of, and why, in one line a person can act on. The inbox route's
 * {@code inbox-refused} handling writes the message as {@code <name>.reason.txt} and has the file component move
 * the file to {@code .failed/} ({@code moveFailed}); see routes/inbox.camel.yaml.
 */
public class InboxRefusal extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InboxRefusal(String reason) {
        // no stack trace: a refusal is an answer about the file, not an error of the service
        super(reason, null, false, false);
    }
}
