package dev.conveyor.worker;

/** A failure that another attempt cannot fix (bad input, a rule violated): the job fails at once. */
public class PermanentJobException extends RuntimeException {

    public PermanentJobException(String message) {
        super(message);
    }

    public PermanentJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
