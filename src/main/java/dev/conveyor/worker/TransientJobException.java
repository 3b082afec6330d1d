package dev.conveyor.worker;

/** A failure another attempt may not meet (a busy or unreachable service): the job is retried. */
public class TransientJobException extends RuntimeException {

    public TransientJobException(String message) {
        super(message);
    }

    public TransientJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
