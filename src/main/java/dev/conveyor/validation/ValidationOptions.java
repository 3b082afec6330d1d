package dev.conveyor.validation;

/**
 * Tuning for {@link CsvValidator}.
 *
 * @param maxErrors        how many error findings to keep in {@link ValidationReport#firstErrors()} (default 20)
 * @param progressInterval report progress every this many data rows (default 10 000)
 */
public record ValidationOptions(int maxErrors, long progressInterval) {

    public static final int DEFAULT_MAX_ERRORS = 20;
    public static final long DEFAULT_PROGRESS_INTERVAL = 10_000;

    public ValidationOptions {
        if (maxErrors < 0) {
            throw new IllegalArgumentException("maxErrors must be >= 0, was " + maxErrors);
        }
        if (progressInterval <= 0) {
            throw new IllegalArgumentException("progressInterval must be > 0, was " + progressInterval);
        }
    }

    public static ValidationOptions defaults() {
        return new ValidationOptions(DEFAULT_MAX_ERRORS, DEFAULT_PROGRESS_INTERVAL);
    }

    public ValidationOptions withMaxErrors(int value) {
        return new ValidationOptions(value, progressInterval);
    }

    public ValidationOptions withProgressInterval(long value) {
        return new ValidationOptions(maxErrors, value);
    }
}
