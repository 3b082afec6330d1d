package dev.conveyor.validation;

/**
 * The input cannot be validated row by row at all: it is empty, not valid UTF-8, not parseable as CSV,
 * or (see {@link CsvHeaderException}) its header does not fit the rule set. The message is one line,
 * meant to be shown to the person who uploaded the file.
 */
public class CsvFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CsvFormatException(String message) {
        super(message);
    }

    public CsvFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
