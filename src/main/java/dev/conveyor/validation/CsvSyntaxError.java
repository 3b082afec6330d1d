package dev.conveyor.validation;

import org.apache.commons.csv.CSVException;

/**
 * Why the CSV parser refused a record, decided from data the service controls, never from the parser's message.
 *
 * <p>commons-csv (1.14) throws one type, {@link CSVException}, for every kind of malformed input; the kind (an
 * unclosed quote, text after a closing quote) is only in the message's wording, which any release may change, and a
 * check on it would then fail silently and show the user the library's raw text. So the two decisions are taken
 * apart: <em>whether</em> the input is malformed is the exception's type (a CSVException anywhere in the causes; any
 * other IOException is a failure to read, not the user's fault), and <em>what</em> is malformed is the
 * {@link CsvLimitReader.Fault} that our own reader, which follows the same grammar below the parser, noted in the
 * same text. A second CSV library with typed errors was not chosen: it would be a second parser to keep in step with
 * the limits reader, for two kinds of error, in the validator's hot loop; the grammar is already followed here.
 *
 * <p>The note is used only when it is for the record the parser was reading; otherwise (a rule of a later
 * commons-csv that our grammar does not know) the error is {@link #syntax()} null, still malformed CSV, told in
 * general words.
 */
final class CsvSyntaxError {

    private final CSVException exception;
    private final CsvLimitReader.Fault fault;

    private CsvSyntaxError(CSVException exception, CsvLimitReader.Fault fault) {
        this.exception = exception;
        this.fault = fault;
    }

    /**
     * @param failure       what the parser threw (its causes are searched, as the record iterator wraps it)
     * @param faultOrNull   the first syntax error {@link CsvLimitReader} saw in the text it passed to the parser
     * @param failingRecord the number of the record the parser was reading ({@code getRecordNumber() + 1}), or
     *                      -1 when unknown
     * @return null when {@code failure} is not malformed CSV (no {@link CSVException} among its causes)
     */
    static CsvSyntaxError of(Throwable failure, CsvLimitReader.Fault faultOrNull, long failingRecord) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CSVException csv) {
                boolean same = faultOrNull != null && faultOrNull.recordNumber() == failingRecord;
                return new CsvSyntaxError(csv, same ? faultOrNull : null);
            }
        }
        return null;
    }

    /** What is wrong, or null when our grammar saw nothing wrong in that record. */
    CsvLimitReader.Syntax syntax() {
        return fault == null ? null : fault.syntax();
    }

    /** 1-based position of the field in the record; 0 when {@link #syntax()} is null. */
    int field() {
        return fault == null ? 0 : fault.field();
    }

    /** Lines between the record's first line and the error's (quoted line breaks); 0 when unknown. */
    long lineInRecord() {
        return fault == null ? 0 : fault.lineInRecord();
    }

    /** The parser's exception, to keep as the cause and, only when {@link #syntax()} is null, to quote. */
    CSVException exception() {
        return exception;
    }
}
