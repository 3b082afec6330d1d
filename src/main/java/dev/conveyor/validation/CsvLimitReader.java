package dev.conveyor.validation;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Keeps a field or a row over its limit from ever being held whole, by cutting it short below the CSV parser.
 *
 * <p>Why below the parser: commons-csv (1.14) builds each field in a {@code StringBuilder} until the field ends and
 * has no length limit, so a 300 MB field is 600 MB of heap (and an OutOfMemoryError) before any check on the parsed
 * record could run. Why not a pre-scan: it would read every file twice. Instead this reader, between the UTF-8
 * decoder and the parser, follows the parser's grammar (RFC 4180: a quote opens a quoted field only as the field's
 * first character, {@code ""} inside quotes is one quote, comma between fields, CR, LF or CRLF between records)
 * and counts the characters of the current field (its value: the enclosing quotes not counted) and of the current
 * record (its text without the line end). When a count goes over its limit it stops passing that record on: the
 * rest of the record is dropped up to its real end, found with the same grammar (a quoted line break does not end
 * it), a quoted field cut short gets its closing quote, and the parser sees a short, well-formed record. The
 * record's number is noted as an {@link Overflow}, which {@link CsvValidator} turns into an error row; the next
 * record is read as usual, so the parse resynchronises there.
 *
 * <p>Bounds: the parser holds at most about {@code maxRecordChars} characters of one record; the work is one pass
 * of constant cost per character. The one case without a next record: a quote that opens a field and is never
 * closed makes the rest of the file that field; it is dropped to the end of the file (no memory held) and becomes
 * one error row.
 *
 * <p>Syntax errors: the same grammar also sees the two ways a record can break it (with the parser's format: no
 * escape character, no comments) — a quote that opens a field and is never closed (within the limits), and text
 * after the quote that closes a field — and notes the first as a {@link Fault}: its kind, record, field and line.
 * commons-csv refuses such a record with one {@code CSVException} for every kind, the kind only in its message
 * text (wording that may change with any release), so {@link CsvValidator} tells the user what is wrong from this
 * note, which the service's own code writes.
 *
 * <p>Not thread-safe; does not close the reader it wraps.
 */
final class CsvLimitReader extends Reader {

    private final char delimiter;

    enum Limit { FIELD, RECORD }

    /** The ways a record's text can break the grammar: each makes the parser refuse the record. */
    enum Syntax {
        /** A quote opened a field and the file ended before a quote closed it. */
        UNCLOSED_QUOTE,
        /** A character other than whitespace, the delimiter or a line end after the quote that closed a field. */
        TEXT_AFTER_QUOTE
    }

    /**
     * The first syntax error of the text passed to the parser (text dropped at a limit is never seen by it, so
     * never noted).
     *
     * @param recordNumber the record's number as {@code CSVParser.getRecordNumber()} would have given it
     * @param field        1-based position of the field in the record
     * @param lineInRecord line breaks (quoted ones) in the record before the error: before the opening quote
     *                     for {@link Syntax#UNCLOSED_QUOTE}, before the offending character otherwise
     */
    record Fault(Syntax syntax, long recordNumber, int field, long lineInRecord) {
    }

    /** A record that was cut short: its number as {@code CSVRecord.getRecordNumber()} gives it, and why. */
    static final class Overflow {
        final long recordNumber;
        final Limit limit;
        /** 1-based position of the field in the record where the limit was crossed. */
        final int field;
        /** Line breaks inside the dropped text (quoted ones): the parser never saw them, so it counts lines short. */
        long droppedLineBreaks;

        Overflow(long recordNumber, Limit limit, int field) {
            this.recordNumber = recordNumber;
            this.limit = limit;
            this.field = field;
        }
    }

    private static final int FIELD_START = 0;
    private static final int UNQUOTED = 1;
    private static final int QUOTED = 2;
    /** A quote inside a quoted field: the field's end, or the first half of {@code ""}. */
    private static final int QUOTE_IN_QUOTED = 3;
    /** Whitespace after a closing quote: the parser skips it, and refuses anything but a delimiter or line end. */
    private static final int AFTER_CLOSING_QUOTE = 4;

    private final Reader in;
    private final long maxFieldChars;
    private final long maxRecordChars;
    /** Overflows the parser has not reached yet: it reads ahead of the record it returns. */
    private final ArrayDeque<Overflow> overflows = new ArrayDeque<>();

    private int state = FIELD_START;
    private long fieldChars;
    private long recordChars;
    private int field = 1;
    private long record = 1;
    private boolean previousCr;
    /** Non-null while the rest of that record is being dropped. */
    private Overflow dropping;
    /** Quoted line breaks so far in the current record, and their number when the current quoted field opened. */
    private long recordBreaks;
    private long quoteOpenedAfterBreaks;
    private Fault fault;

    CsvLimitReader(Reader in, int maxFieldChars, int maxRecordChars) {
        this(in, maxFieldChars, maxRecordChars, ',');
    }

    /** @param delimiter the field delimiter the parser above uses (comma, semicolon or tab) */
    CsvLimitReader(Reader in, int maxFieldChars, int maxRecordChars, char delimiter) {
        this.delimiter = delimiter;
        this.in = Objects.requireNonNull(in, "in");
        if (maxFieldChars < 1 || maxRecordChars < 1) {
            throw new IllegalArgumentException("limits must be > 0");
        }
        this.maxFieldChars = maxFieldChars;
        this.maxRecordChars = maxRecordChars;
    }

    long maxFieldChars() {
        return maxFieldChars;
    }

    long maxRecordChars() {
        return maxRecordChars;
    }

    /**
     * The overflow of record {@code recordNumber}, if it was cut short; call once per record, in order (records
     * before it that were not asked for are forgotten).
     */
    Overflow take(long recordNumber) {
        while (!overflows.isEmpty() && overflows.peekFirst().recordNumber < recordNumber) {
            overflows.pollFirst();
        }
        return !overflows.isEmpty() && overflows.peekFirst().recordNumber == recordNumber
                ? overflows.pollFirst() : null;
    }

    /** The first syntax error in the text read so far, or null. */
    Fault fault() {
        return fault;
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, cbuf.length);
        if (len == 0) {
            return 0;
        }
        while (true) {
            int n = in.read(cbuf, off, len);
            if (n < 0) {
                if (state == QUOTED && dropping == null && fault == null) {
                    // the parser has the open quoted field and reaches the end of the file inside it
                    fault = new Fault(Syntax.UNCLOSED_QUOTE, record, field, quoteOpenedAfterBreaks);
                }
                return -1;
            }
            int kept = filter(cbuf, off, off + n) - off;
            if (kept > 0) {
                return kept;
            }
            // all of it dropped: read on, a Reader must not answer 0
        }
    }

    /** Runs the grammar over {@code cbuf[from, to)}, compacting the characters kept to its start; returns their end. */
    private int filter(char[] cbuf, int from, int to) {
        int out = from;
        for (int i = from; i < to; i++) {
            if (dropping == null && (state == UNQUOTED || state == QUOTED)) {
                // fast path for the common case, a run of plain characters inside a field within its limits: they
                // change no state, only the counts (this keeps the reader's cost small next to the parser's)
                int end = (int) Math.min(to, i + Math.min(maxFieldChars - fieldChars, maxRecordChars - recordChars));
                int j = i;
                if (state == UNQUOTED) {
                    while (j < end) {
                        char c = cbuf[j];
                        if (c == delimiter || c == '\r' || c == '\n') {
                            break;
                        }
                        j++;
                    }
                } else {
                    // a quoted line break goes the slow way too, to be counted: a fault names its line (one
                    // comparison covers CR, LF and the rarer control characters below them, which take the slow
                    // way with no effect)
                    while (j < end) {
                        char c = cbuf[j];
                        if (c == '"' || c <= '\r') {
                            break;
                        }
                        j++;
                    }
                }
                int run = j - i;
                if (run > 0) {
                    if (out != i) {
                        System.arraycopy(cbuf, i, cbuf, out, run);
                    }
                    out += run;
                    fieldChars += run;
                    recordChars += run;
                    previousCr = cbuf[j - 1] == '\r';
                    i = j - 1;
                    continue;
                }
            }
            char c = cbuf[i];
            int before = state;
            boolean lineEnd = false;
            boolean content = false;
            Syntax bad = null;
            switch (state) {
                case FIELD_START -> {
                    if (c == '"') {
                        state = QUOTED;
                        quoteOpenedAfterBreaks = recordBreaks;
                    } else if (c == delimiter) {
                        nextField();
                    } else if (c == '\r' || c == '\n') {
                        lineEnd = true;
                    } else {
                        state = UNQUOTED;
                        content = true;
                    }
                }
                case UNQUOTED -> {
                    if (c == delimiter) {
                        nextField();
                    } else if (c == '\r' || c == '\n') {
                        lineEnd = true;
                    } else {
                        content = true;
                    }
                }
                case QUOTED -> {
                    if (c == '"') {
                        state = QUOTE_IN_QUOTED;
                    } else {
                        content = true;
                    }
                }
                default -> { // QUOTE_IN_QUOTED or AFTER_CLOSING_QUOTE, in the order commons-csv's lexer checks
                    if (c == '"' && state == QUOTE_IN_QUOTED) {
                        state = QUOTED;
                        content = true;
                    } else if (c == delimiter) {
                        nextField();
                    } else if (c == '\r' || c == '\n') {
                        lineEnd = true;
                    } else if (Character.isWhitespace(c)) {
                        state = AFTER_CLOSING_QUOTE;
                    } else {
                        // text after a closing quote: the parser refuses the record, as it would without us
                        state = UNQUOTED;
                        content = true;
                        bad = Syntax.TEXT_AFTER_QUOTE;
                    }
                }
            }
            if (lineEnd) {
                // LF right after CR is the second half of one CRLF record end
                boolean secondHalf = c == '\n' && previousCr;
                if (!secondHalf) {
                    record++;
                    field = 1;
                    fieldChars = 0;
                    recordChars = 0;
                    recordBreaks = 0;
                    state = FIELD_START;
                    dropping = null;
                }
                cbuf[out++] = c;
                previousCr = c == '\r';
                continue;
            }
            // a line break inside quotes: the parser counts it as a line, so a dropped one is noted
            boolean quotedBreak = before == QUOTED && (c == '\r' || (c == '\n' && !previousCr));
            previousCr = c == '\r';
            if (quotedBreak) {
                recordBreaks++;
            }
            recordChars++;
            if (content) {
                fieldChars++;
            }
            if (dropping == null) {
                if (fieldChars > maxFieldChars) {
                    overflow(Limit.FIELD);
                } else if (recordChars > maxRecordChars) {
                    overflow(Limit.RECORD);
                }
                if (dropping == null) {
                    cbuf[out++] = c;
                    if (bad != null && fault == null) {
                        fault = new Fault(bad, record, field, recordBreaks);
                    }
                } else if (before == QUOTED) {
                    // the parser is inside a quoted field: close it, so the record end we pass on ends the record
                    cbuf[out++] = '"';
                }
                // otherwise (unquoted, or a quote pending that the parser will take as the closing one) nothing
            }
            if (dropping != null && quotedBreak) {
                dropping.droppedLineBreaks++;
            }
        }
        return out;
    }

    private void nextField() {
        field++;
        fieldChars = 0;
        state = FIELD_START;
    }

    private void overflow(Limit limit) {
        dropping = new Overflow(record, limit, field);
        overflows.addLast(dropping);
    }

    /** Does not close the wrapped reader: its owner does. */
    @Override
    public void close() {
        // nothing to release
    }
}
