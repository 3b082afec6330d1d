package dev.conveyor.validation;

/**
 * Told how far a validation has got, every {@link ValidationOptions#progressInterval()} data rows.
 * Throwing an unchecked exception aborts the validation: the exception propagates unchanged out of
 * {@link CsvValidator#validate}.
 */
@FunctionalInterface
public interface ProgressListener {

    /** @param rowsProcessed data rows processed so far (a multiple of the progress interval) */
    void onProgress(long rowsProcessed);
}
