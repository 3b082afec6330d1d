package dev.conveyor.validation;

/**
 * Tuning for {@link CsvValidator}.
 *
 * @param maxErrors        how many error findings to keep in {@link ValidationReport#firstErrors()} (default 20)
 * @param progressInterval report progress every this many data rows (default 10 000)
 * @param maxFieldChars    longest field (characters of its value, quotes not counted) read into memory; a longer
 *                         one makes its row an error row and is never held whole (default 64 KiB)
 * @param maxRecordChars   longest row (characters of its text, delimiters and quotes counted, line end not),
 *                         the same way (default 1 MiB)
 * @param maxNumberDigits  most digits a decimal or integer value may have; a longer one is an error and is never
 *                         handed to {@link java.math.BigDecimal}, whose parsing is quadratic in the digits
 *                         (default 40)
 */
public record ValidationOptions(int maxErrors, long progressInterval, int maxFieldChars, int maxRecordChars,
                                int maxNumberDigits) {

    public static final int DEFAULT_MAX_ERRORS = 20;
    public static final long DEFAULT_PROGRESS_INTERVAL = 10_000;
    public static final int DEFAULT_MAX_FIELD_CHARS = 64 * 1024;
    public static final int DEFAULT_MAX_RECORD_CHARS = 1024 * 1024;
    /** Prices and quantities need a handful of digits; 40 leaves room for any money amount with decimals. */
    public static final int DEFAULT_MAX_NUMBER_DIGITS = 40;
    /**
     * Upper bound for {@link #maxNumberDigits}: BigDecimal's parsing is quadratic, and at this size it still
     * costs well under a millisecond per value, so no setting can bring back the CPU burn the cap exists for.
     */
    public static final int MAX_NUMBER_DIGITS_CEILING = 10_000;

    public ValidationOptions {
        if (maxErrors < 0) {
            throw new IllegalArgumentException("maxErrors must be >= 0, was " + maxErrors);
        }
        if (progressInterval <= 0) {
            throw new IllegalArgumentException("progressInterval must be > 0, was " + progressInterval);
        }
        if (maxFieldChars < 1) {
            throw new IllegalArgumentException("maxFieldChars must be > 0, was " + maxFieldChars);
        }
        if (maxRecordChars < 1) {
            throw new IllegalArgumentException("maxRecordChars must be > 0, was " + maxRecordChars);
        }
        if (maxNumberDigits < 1 || maxNumberDigits > MAX_NUMBER_DIGITS_CEILING) {
            throw new IllegalArgumentException("maxNumberDigits must be between 1 and " + MAX_NUMBER_DIGITS_CEILING
                    + ", was " + maxNumberDigits);
        }
    }

    /** Default limits with the given error count and progress interval. */
    public ValidationOptions(int maxErrors, long progressInterval) {
        this(maxErrors, progressInterval, DEFAULT_MAX_FIELD_CHARS, DEFAULT_MAX_RECORD_CHARS,
                DEFAULT_MAX_NUMBER_DIGITS);
    }

    public static ValidationOptions defaults() {
        return new ValidationOptions(DEFAULT_MAX_ERRORS, DEFAULT_PROGRESS_INTERVAL);
    }

    public ValidationOptions withMaxErrors(int value) {
        return new ValidationOptions(value, progressInterval, maxFieldChars, maxRecordChars, maxNumberDigits);
    }

    public ValidationOptions withProgressInterval(long value) {
        return new ValidationOptions(maxErrors, value, maxFieldChars, maxRecordChars, maxNumberDigits);
    }

    /** The reading limits: longest field and longest row, in characters. */
    public ValidationOptions withMaxChars(int field, int record) {
        return new ValidationOptions(maxErrors, progressInterval, field, record, maxNumberDigits);
    }

    public ValidationOptions withMaxNumberDigits(int value) {
        return new ValidationOptions(maxErrors, progressInterval, maxFieldChars, maxRecordChars, value);
    }
}
