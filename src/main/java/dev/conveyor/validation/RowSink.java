package dev.conveyor.validation;

import java.io.IOException;

/** Receives every valid row (including rows with warnings only) while a file is validated. */
@FunctionalInterface
public interface RowSink {

    /** A sink that ignores every row. */
    RowSink NONE = (rowNumber, values) -> { };

    /**
     * Called once per valid row, in file order.
     *
     * @param rowNumber 1-based data-row number (the header is not counted, blank lines are not counted)
     * @param values    the row's values in the RULE SET's column order (not the file's), trimmed of
     *                  surrounding whitespace; {@code ""} for an optional-header column the file lacks.
     *                  A fresh array per call: the sink may keep it.
     * @throws IOException aborts the validation; propagated to the caller of {@code validate}
     */
    void onValidRow(long rowNumber, String[] values) throws IOException;
}
