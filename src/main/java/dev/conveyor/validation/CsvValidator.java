package dev.conveyor.validation;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;

/**
 * Validates a CSV file against a {@link RuleSet}, streaming: memory use does not grow with the number of
 * rows (only counters, the first {@link ValidationOptions#maxErrors()} findings and per-field counts are
 * kept). Immutable and thread-safe; each {@link #validate} call has its own state.
 *
 * <p>Input: UTF-8 (strict; a BOM is skipped), RFC 4180 CSV (comma, {@code "} quotes with {@code ""} as an
 * escaped quote, quoted fields may contain commas and line breaks, CRLF or LF line ends). The first
 * non-blank record is the header: names are trimmed and matched to the rule set's columns
 * case-insensitively, in any order; unknown extra columns are ignored. Records whose fields are all blank
 * (empty lines, whitespace-only lines, lines of only commas) are skipped and not counted.
 *
 * <p>Row numbers are 1-based data-row numbers: the first record after the header is row 1, and skipped
 * blank records do not count. {@link RowIssue#line()} additionally gives the physical line where the row
 * starts. Values are trimmed of surrounding whitespace before they are checked and handed on.
 */
public final class CsvValidator {

    private static final CSVFormat CSV = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).get();
    private static final CSVFormat REPORT = CSVFormat.RFC4180.builder().setRecordSeparator('\n').get();

    private final RuleSet ruleSet;
    private final ValidationOptions options;
    private final ColumnRule[] columns;

    public CsvValidator(RuleSet ruleSet) {
        this(ruleSet, ValidationOptions.defaults());
    }

    public CsvValidator(RuleSet ruleSet, ValidationOptions options) {
        this.ruleSet = Objects.requireNonNull(ruleSet, "ruleSet");
        this.options = Objects.requireNonNull(options, "options");
        this.columns = ruleSet.columns().toArray(new ColumnRule[0]);
    }

    public RuleSet ruleSet() {
        return ruleSet;
    }

    public ValidationOptions options() {
        return options;
    }

    /**
     * Reads {@code csv} to the end (or to the first fatal problem) and checks every row.
     *
     * @param csv               the file's bytes; read but not closed
     * @param sink              receives each valid row (warning rows included) in rule-set column order;
     *                          {@link RowSink#NONE} to ignore them
     * @param errorReportOrNull if given, receives a CSV with header {@code row,<rule-set columns>,errors} and
     *                          one line per error row (messages joined with {@code "; "}); written only once
     *                          the header is accepted; flushed, not closed
     * @param progressOrNull    told every {@link ValidationOptions#progressInterval()} rows; an unchecked
     *                          exception it throws aborts the validation and propagates unchanged
     * @return the counts and the first errors
     * @throws CsvFormatException if the file is empty, not UTF-8 or not parseable as CSV
     * @throws CsvHeaderException if the header lacks required columns or repeats a column
     * @throws IOException        if reading {@code csv}, the sink or writing the report fails
     */
    public ValidationReport validate(InputStream csv, RowSink sink, Writer errorReportOrNull,
                                     ProgressListener progressOrNull) throws IOException {
        Objects.requireNonNull(csv, "csv");
        Objects.requireNonNull(sink, "sink");
        return new Run(sink, errorReportOrNull, progressOrNull).execute(csv);
    }

    /**
     * Like {@link #validate(InputStream, RowSink, Writer, ProgressListener)} for one sheet of an .xlsx workbook
     * (see {@link XlsxRows}): its first non-blank row is the header, and each row after it a data row whose
     * {@link RowIssue#line()} is its row number in the sheet. Cells missing at the end of a row count as blank.
     *
     * @param sheet an open sheet, not closed here
     * @throws CsvFormatException if the workbook cannot be read, a zip-bomb guard refuses it, or the sheet is empty
     */
    public ValidationReport validate(XlsxRows sheet, RowSink sink, Writer errorReportOrNull,
                                     ProgressListener progressOrNull) throws IOException {
        Objects.requireNonNull(sheet, "sheet");
        Objects.requireNonNull(sink, "sink");
        return new Run(sink, errorReportOrNull, progressOrNull).execute(sheet);
    }

    /** Per-call state. */
    private final class Run {
        private final RowSink sink;
        private final Writer reportWriter;
        private final ProgressListener progress;
        private final int maxErrors = options.maxErrors();
        private final long progressInterval = options.progressInterval();

        private final int[] index = new int[columns.length];
        private final String[] values = new String[columns.length];
        private final Matcher[] patterns = new Matcher[columns.length];
        private final Matcher[] warnPatterns = new Matcher[columns.length];
        private final int[] rowWarnings = new int[columns.length];
        private final long[] errorCounts = new long[columns.length + 1];
        private final long[] warningCounts = new long[columns.length];
        private final List<RowIssue> firstErrors = new ArrayList<>();
        private final StringBuilder rowMessages = new StringBuilder();

        private final int maxNumberDigits = options.maxNumberDigits();
        private final FileFormat format = ruleSet.format();
        /** The value to hand on for each column when its check rewrote it (a decimal comma made plain); else null. */
        private final String[] canonical = new String[columns.length];
        /** Set by {@link #check} for {@link Finding#NUMBER_FORMAT}: why the number was refused. */
        private String numberProblem;
        private NumberStyle style = NumberStyle.PLAIN;
        private StrictUtf8Reader text;
        private char usedDelimiter = ',';
        private boolean delimiterDetected;
        private String sheetName;
        /** An .xlsx: rows may stop before the last column (empty cells are not stored). */
        private boolean sparseRows;
        /** Plain style: values refused that look like decimal commas or grouped numbers, and the first one. */
        private long commaLike;
        private String firstCommaLike;

        private CSVPrinter report;
        private CSVParser parser;
        private CsvLimitReader limits;
        /** Set by {@link #next()} when the record it returned was cut short at a limit. */
        private CsvLimitReader.Overflow overflow;
        /** Line breaks the parser never saw (inside dropped text), added to its line count. */
        private long droppedLines;
        private String[] headerNames = new String[0];
        private Iterator<CSVRecord> records;
        private int headerSize;
        private boolean headerDone;
        private long lastLine;
        private long rowStartLine;
        private long total;
        private long valid;
        private long errorRows;
        private long warningRows;

        Run(RowSink sink, Writer reportWriter, ProgressListener progress) {
            this.sink = sink;
            this.reportWriter = reportWriter;
            this.progress = progress;
            for (int c = 0; c < columns.length; c++) {
                if (columns[c].pattern() != null) {
                    patterns[c] = columns[c].pattern().matcher("");
                }
                if (columns[c].warnPattern() != null) {
                    warnPatterns[c] = columns[c].warnPattern().matcher("");
                }
            }
        }

        ValidationReport execute(InputStream csv) throws IOException {
            text = new StrictUtf8Reader(csv, 64 * 1024, format.encoding());
            Reader source = text;
            char delimiter = format.delimiter();
            if (delimiter == FileFormat.AUTO) {
                // the delimiter that splits the header row into the rule set's columns; never from data rows
                HeaderPeek peek;
                try {
                    peek = HeaderPeek.read(text, options.maxRecordChars());
                } catch (IOException e) {
                    throw translate(e);
                }
                delimiter = Delimiters.detect(peek.firstLine(), columns);
                delimiterDetected = true;
                source = peek.reader();
            }
            usedDelimiter = delimiter;
            style = NumberStyle.of(format, delimiter);
            // the limits are enforced below the parser, which would otherwise hold a whole field however long
            // (see CsvLimitReader)
            limits = new CsvLimitReader(source, options.maxFieldChars(), options.maxRecordChars(), delimiter);
            CSVFormat csvFormat = delimiter == ',' ? CSV : CSV.builder().setDelimiter(delimiter).get();
            try (CSVParser p = CSVParser.builder().setReader(limits).setFormat(csvFormat).get()) {
                parser = p;
                records = p.iterator();
                for (CSVRecord record; (record = next()) != null; ) {
                    accept(record.values(), overflow);
                }
            }
            return finish();
        }

        ValidationReport execute(XlsxRows sheet) throws IOException {
            sheetName = sheet.sheetName();
            sparseRows = true;
            // numbers typed as numbers come out plain; text cells follow the rule set (auto: a decimal point)
            char decimal = format.decimalSeparator() == FileFormat.AUTO ? '.' : format.decimalSeparator();
            style = NumberStyle.of(format, decimal == ',' ? ';' : ',');
            limits = null;
            sheet.read((rowNumber, cells, cut) -> {
                rowStartLine = rowNumber;
                lastLine = rowNumber;
                accept(cells, cut);
            }, options.maxFieldChars(), options.maxRecordChars(), decimal);
            return finish();
        }

        /** One record: the header until there is one, then a data row. */
        private void accept(String[] raw, CsvLimitReader.Overflow cut) throws IOException {
            if (!headerDone) {
                if (cut != null) {
                    throw new CsvFormatException("the header row is too long: " + overflowMessage(cut));
                }
                if (isBlank(raw)) {
                    return;
                }
                readHeader(sparseRows ? trimTrailingBlanks(raw) : raw);
                if (reportWriter != null) {
                    report = new CSVPrinter(reportWriter, REPORT);
                    report.print(SpreadsheetSafe.cell("row"));
                    for (ColumnRule column : columns) {
                        report.print(SpreadsheetSafe.cell(column.name()));
                    }
                    report.print(SpreadsheetSafe.cell("errors"));
                    report.println();
                }
                return;
            }
            if (sparseRows) {
                raw = fitToHeader(raw);
            }
            if (cut != null) {
                tooLong(raw, cut);
            } else if (!isBlank(raw)) {
                row(raw);
            }
        }

        private ValidationReport finish() throws IOException {
            if (!headerDone) {
                throw new CsvFormatException(sheetName != null
                        ? "the sheet '" + sheetName + "' is empty: no header row" : "file is empty: no header row");
            }
            if (report != null) {
                report.flush();
            }
            return report();
        }

        /** An .xlsx row: blank cells past the header's width dropped, missing ones added. */
        private String[] fitToHeader(String[] raw) {
            if (raw.length == headerSize) {
                return raw;
            }
            if (raw.length < headerSize) {
                String[] padded = Arrays.copyOf(raw, headerSize);
                Arrays.fill(padded, raw.length, headerSize, "");
                return padded;
            }
            String[] trimmed = trimTrailingBlanks(raw);
            return trimmed.length < headerSize ? fitToHeader(trimmed) : trimmed;
        }

        private void readHeader(String[] raw) {
            headerSize = raw.length;
            List<String> found = new ArrayList<>(raw.length);
            Map<String, Integer> positions = new HashMap<>();
            List<String> duplicated = new ArrayList<>();
            List<String> duplicatedKeys = new ArrayList<>();
            for (int i = 0; i < raw.length; i++) {
                String name = raw[i].trim();
                found.add(name);
                if (name.isEmpty()) {
                    continue;
                }
                String key = name.toLowerCase(Locale.ROOT);
                if (positions.putIfAbsent(key, i) != null && !duplicatedKeys.contains(key)) {
                    duplicatedKeys.add(key);
                    duplicated.add(name);
                }
            }
            List<String> missing = new ArrayList<>();
            for (int c = 0; c < columns.length; c++) {
                Integer position = positions.get(columns[c].name().toLowerCase(Locale.ROOT));
                index[c] = position == null ? -1 : position;
                if (position == null && !columns[c].optionalHeader()) {
                    missing.add(columns[c].name());
                }
            }
            if (!missing.isEmpty() || !duplicated.isEmpty()) {
                throw headerError(missing, duplicated, found);
            }

            headerNames = found.toArray(new String[0]);
            headerDone = true;
        }

        private CsvHeaderException headerError(List<String> missing, List<String> duplicated, List<String> found) {
            StringBuilder m = new StringBuilder("wrong header: ");
            if (!missing.isEmpty()) {
                m.append("missing column(s) ").append(String.join(",", missing)).append("; ");
            }
            if (!duplicated.isEmpty()) {
                m.append("duplicated column(s) ").append(String.join(",", duplicated)).append("; ");
            }
            List<String> required = new ArrayList<>();
            List<String> optional = new ArrayList<>();
            for (ColumnRule column : columns) {
                (column.optionalHeader() ? optional : required).add(column.name());
            }
            m.append("expected ").append(String.join(",", required));
            if (!optional.isEmpty()) {
                m.append(" (optional: ").append(String.join(",", optional)).append(')');
            }
            String foundText = String.join(",", found);
            if (foundText.length() > 300) {
                foundText = foundText.substring(0, 297) + "...";
            }
            m.append("; found ").append(foundText);
            if (sheetName != null) {
                m.append(" (sheet '").append(Finding.cut(sheetName)).append("', row ").append(lastLine).append(')');
            } else {
                String line = String.join(String.valueOf(usedDelimiter), found);
                String hint = missing.isEmpty() ? null : Delimiters.otherDelimiterHint(line,
                        delimiterDetected ? FileFormat.AUTO : usedDelimiter, columns, ruleSet);
                // detection's own note only when the header did not split at all (names wrong is the usual case)
                if (hint != null && (!hint.startsWith("the delimiter is detected")
                        || found.size() == 1 && found.get(0).matches(".*[,;|:\\t].*"))) {
                    m.append("; ").append(hint);
                }
            }
            return new CsvHeaderException(m.toString(), missing, duplicated, ruleSet.columnNames(), found);
        }

        private void row(String[] raw) throws IOException {
            long row = ++total;
            int errors = 0;
            int warnings = 0;
            if (raw.length != headerSize) {
                for (int c = 0; c < columns.length; c++) {
                    int i = index[c];
                    values[c] = i >= 0 && i < raw.length ? raw[i].trim() : "";
                }
                errors = 1;
                errorCounts[columns.length]++;
                if (wantMessages()) {
                    issue(row, RowIssue.ROW_FIELD, "expected " + headerSize + " columns, found " + raw.length);
                }
            } else {
                for (int c = 0; c < columns.length; c++) {
                    int i = index[c];
                    rowWarnings[c] = 0;
                    canonical[c] = null;
                    if (i < 0) {
                        values[c] = "";
                        continue;
                    }
                    String v = raw[i].trim();
                    values[c] = v;
                    Finding finding = check(c, v);
                    if (finding != Finding.OK) {
                        errors++;
                        errorCounts[c]++;
                        if (style.isPlain() && (finding == Finding.NOT_DECIMAL || finding == Finding.NOT_INTEGER)) {
                            noteCommaLike(row, v);
                        }
                        if (wantMessages()) {
                            issue(row, columns[c].name(), finding == Finding.TOO_MANY_DIGITS
                                    ? finding.message(columns[c], v, maxNumberDigits)
                                    : finding == Finding.NUMBER_FORMAT
                                    ? columns[c].name() + ": " + numberProblem
                                    : finding.message(columns[c], v));
                        }
                    } else if (!v.isEmpty()) {
                        int w = warnings(c, canonical[c] != null ? canonical[c] : v);
                        rowWarnings[c] = w;
                        warnings += w;
                    }
                }
            }
            if (errors > 0) {
                errorRows++;
                reportRow(row);
            } else {
                valid++;
                if (warnings > 0) {
                    warningRows++;
                    for (int c = 0; c < columns.length; c++) {
                        warningCounts[c] += rowWarnings[c];
                    }
                }
                String[] out = values.clone();
                for (int c = 0; c < columns.length; c++) {
                    if (canonical[c] != null) {
                        out[c] = canonical[c];
                    }
                }
                sink.onValidRow(row, out);
            }
            if (progress != null && row % progressInterval == 0) {
                progress.onProgress(row);
            }
        }

        /**
         * A record cut short at a limit ({@link CsvLimitReader}): an error row whatever its fields, with the
         * limit as its reason. Its values in the report are cut, so the report never echoes an oversized field.
         */
        private void tooLong(String[] raw, CsvLimitReader.Overflow cut) throws IOException {
            long row = ++total;
            int column = -1;
            if (cut.limit == CsvLimitReader.Limit.FIELD) {
                for (int c = 0; c < columns.length; c++) {
                    if (index[c] == cut.field - 1) {
                        column = c;
                    }
                }
            }
            for (int c = 0; c < columns.length; c++) {
                int i = index[c];
                values[c] = i >= 0 && i < raw.length ? Finding.cut(raw[i].trim()) : "";
            }
            errorRows++;
            errorCounts[column < 0 ? columns.length : column]++;
            if (wantMessages()) {
                issue(row, column < 0 ? RowIssue.ROW_FIELD : columns[column].name(), overflowMessage(cut));
            }
            reportRow(row);
            if (progress != null && row % progressInterval == 0) {
                progress.onProgress(row);
            }
        }

        private String overflowMessage(CsvLimitReader.Overflow cut) {
            if (cut.limit == CsvLimitReader.Limit.RECORD) {
                return "row is longer than " + options.maxRecordChars()
                        + " characters (conveyor.validation.max-record-chars)";
            }
            return fieldName(cut.field) + " is longer than " + options.maxFieldChars()
                    + " characters (conveyor.validation.max-field-chars)";
        }

        /** The current error row in the report, every cell made safe to open in a spreadsheet. */
        private void reportRow(long row) throws IOException {
            if (report == null) {
                return;
            }
            report.print(row);
            for (String value : values) {
                report.print(SpreadsheetSafe.cell(value));
            }
            report.print(SpreadsheetSafe.cell(rowMessages.toString()));
            report.println();
            rowMessages.setLength(0);
        }

        private boolean wantMessages() {
            return report != null || firstErrors.size() < maxErrors;
        }

        private void issue(long row, String field, String message) {
            if (firstErrors.size() < maxErrors) {
                firstErrors.add(new RowIssue(row, rowStartLine, field, message));
            }
            if (report != null) {
                if (rowMessages.length() > 0) {
                    rowMessages.append("; ");
                }
                rowMessages.append(message);
            }
        }

        private Finding check(int c, String v) {
            ColumnRule rule = columns[c];
            if (v.isEmpty()) {
                return rule.required() ? Finding.REQUIRED : Finding.OK;
            }
            switch (rule.type()) {
                case DECIMAL, INTEGER -> {
                    // a decimal comma (and grouping, if allowed) made plain; an ambiguous value is refused
                    String n = style.canonical(v);
                    if (n == null) {
                        numberProblem = style.problem(v, ruleSet);
                        if (numberProblem != null) {
                            return Finding.NUMBER_FORMAT;
                        }
                        return rule.type() == ColumnType.DECIMAL ? Finding.NOT_DECIMAL : Finding.NOT_INTEGER;
                    }
                    // the shape check is one linear pass over characters, no arithmetic; the digit cap comes
                    // before anything reads the value as a number: BigDecimal's parsing is quadratic in the digits
                    // (600k of them took 8 s of CPU)
                    int shape = Numbers.shape(n);
                    if (shape == Numbers.NOT_A_NUMBER) {
                        return rule.type() == ColumnType.DECIMAL ? Finding.NOT_DECIMAL : Finding.NOT_INTEGER;
                    }
                    if (Numbers.tooManyDigits(n, maxNumberDigits)) {
                        return Finding.TOO_MANY_DIGITS;
                    }
                    if (shape == Numbers.FRACTION && rule.type() == ColumnType.INTEGER) {
                        return Finding.NOT_WHOLE;
                    }
                    if (n != v) {
                        canonical[c] = n;
                    }
                    if (rule.hasBounds()) {
                        Finding bound = checkBounds(rule, Numbers.toBigDecimal(n));
                        if (bound != Finding.OK) {
                            return bound;
                        }
                    }
                }
                case ENUM -> {
                    if (!rule.allows(v)) {
                        return Finding.NOT_ALLOWED;
                    }
                }
                case PATTERN -> {
                    if (!patterns[c].reset(v).matches()) {
                        return Finding.NO_MATCH;
                    }
                }
                case STRING -> {
                }
            }
            Integer maxLength = rule.maxLength();
            if (maxLength != null && longerThan(v, maxLength)) {
                return Finding.TOO_LONG;
            }
            return Finding.OK;
        }

        private Finding checkBounds(ColumnRule rule, BigDecimal value) {
            if (rule.min() != null && value.compareTo(rule.min()) < 0) {
                return Finding.BELOW_MIN;
            }
            if (rule.minExclusive() != null && value.compareTo(rule.minExclusive()) <= 0) {
                return Finding.NOT_ABOVE_MIN;
            }
            if (rule.max() != null && value.compareTo(rule.max()) > 0) {
                return Finding.ABOVE_MAX;
            }
            if (rule.maxExclusive() != null && value.compareTo(rule.maxExclusive()) >= 0) {
                return Finding.NOT_BELOW_MAX;
            }
            return Finding.OK;
        }

        /** Counts warning findings for a non-blank value without errors. */
        private int warnings(int c, String v) {
            ColumnRule rule = columns[c];
            int count = 0;
            Integer warnMaxLength = rule.warnMaxLength();
            if (warnMaxLength != null && longerThan(v, warnMaxLength)) {
                count++;
            }
            if (warnPatterns[c] != null && !warnPatterns[c].reset(v).matches()) {
                count++;
            }
            return count;
        }

        private CSVRecord next() throws IOException {
            try {
                if (!records.hasNext()) {
                    return null;
                }
                CSVRecord record = records.next();
                overflow = limits.take(record.getRecordNumber());
                if (overflow != null) {
                    droppedLines += overflow.droppedLineBreaks;
                }
                rowStartLine = lastLine + 1;
                lastLine = parser.getCurrentLineNumber() + droppedLines;
                return record;
            } catch (UncheckedIOException e) {
                throw translate(e.getCause());
            }
        }

        /**
         * Throws a CsvFormatException for bad input; returns other I/O failures for the caller to throw. Bad input is
         * recognised by type, never by an exception's message (see {@link CsvSyntaxError}).
         */
        private IOException translate(IOException failure) {
            String where = headerDone ? "near row " + (total + 1) : "in the header row";
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof StrictUtf8Reader.MalformedUtf8Exception bad) {
                    throw new CsvFormatException(encodingMessage(bad, where), failure);
                }
            }
            CsvSyntaxError syntax = CsvSyntaxError.of(failure, limits == null ? null : limits.fault(),
                    parser == null ? -1 : parser.getRecordNumber() + 1);
            if (syntax != null) {
                throw new CsvFormatException("malformed CSV " + where + ": " + syntaxMessage(syntax), failure);
            }
            return failure;
        }

        /** Where in the file and what to do: the record's line, and the error's own line and field when known. */
        private String syntaxMessage(CsvSyntaxError error) {
            long start = lastLine + 1;
            long line = start + error.lineInRecord();
            if (error.syntax() == null) {
                String parser = error.exception().getMessage();
                return "the record starting on line " + start + " cannot be read as CSV"
                        + (parser == null || parser.isBlank() ? "" : " (" + parser + ")");
            }
            return switch (error.syntax()) {
                case UNCLOSED_QUOTE -> "a quoted field starting on line " + line + " is never closed"
                        + " (close it with a quote; a quote inside a quoted field must be doubled: \"\")";
                case TEXT_AFTER_QUOTE -> "unexpected text after a closing quote in " + fieldName(error.field())
                        + (line == start ? " of the record on line " + start
                                : " on line " + line + " (the record starts on line " + start + ")")
                        + " (a quote inside a quoted field must be doubled: \"\")";
            };
        }

        /** {@code field 2 (title)}: its position, and its header name once there is a header. */
        private String fieldName(int field) {
            int i = field - 1;
            return "field " + field + (i < headerNames.length && !headerNames[i].isEmpty()
                    ? " (" + Finding.cut(headerNames[i]) + ")" : "");
        }

        /** What is wrong with the bytes and what to do about it. */
        private String encodingMessage(StrictUtf8Reader.MalformedUtf8Exception bad, String where) {
            String ruleSetName = "the rule set " + ruleSet.name() + " (" + ruleSet.source() + ")";
            if (bad.encoding().equals(FileFormat.UTF_8)) {
                String m = "file is not valid UTF-8 text (invalid byte sequence " + where + ", byte offset "
                        + bad.byteOffset() + ")";
                if (bad.looksLikeWindows1252()) {
                    return m + "; if this file was exported by Excel in Windows-1252 (Latin-1), set encoding: "
                            + "windows-1252 in " + ruleSetName + ", or save the file as \"CSV UTF-8\"";
                }
                return m + "; save the file as UTF-8 (\"CSV UTF-8\" in Excel)";
            }
            return "file is not valid " + bad.encoding() + " text (byte "
                    + String.format(Locale.ROOT, "0x%02X", bad.badByte()) + " " + where + ", byte offset "
                    + bad.byteOffset() + ", is not a character in " + bad.encoding() + "); check the encoding set in "
                    + ruleSetName + ", or save the file as \"CSV UTF-8\" and remove the encoding key";
        }

        /** A refused number that looks like a decimal comma or a grouped number: advice for the whole file. */
        private void noteCommaLike(long row, String v) {
            if (v.indexOf(',') < 0 || NumberStyle.PLAIN.problem(v, ruleSet) == null) {
                return;
            }
            if (commaLike++ == 0) {
                firstCommaLike = "row " + row + ": " + NumberStyle.PLAIN.problem(v, ruleSet);
            }
        }

        private FormatUsed formatUsed() {
            String decimal = String.valueOf(style.decimal());
            String thousands = format.thousandsSeparator() == FileFormat.NONE ? null
                    : String.valueOf(format.thousandsSeparator());
            if (sheetName != null) {
                return new FormatUsed("xlsx", null, false, null, decimal, thousands, sheetName);
            }
            String encoding = text == null ? null
                    : text.undecided() ? "ascii (utf-8 and windows-1252 read it the same)" : text.encoding();
            return new FormatUsed("csv", String.valueOf(usedDelimiter), delimiterDetected, encoding, decimal,
                    thousands, null);
        }

        private ValidationReport report() {
            Map<String, Long> errorsByField = new LinkedHashMap<>();
            Map<String, Long> warningsByField = new LinkedHashMap<>();
            for (int c = 0; c < columns.length; c++) {
                if (errorCounts[c] > 0) {
                    errorsByField.put(columns[c].name(), errorCounts[c]);
                }
                if (warningCounts[c] > 0) {
                    warningsByField.put(columns[c].name(), warningCounts[c]);
                }
            }
            if (errorCounts[columns.length] > 0) {
                errorsByField.put(RowIssue.ROW_FIELD, errorCounts[columns.length]);
            }
            List<String> advice = new ArrayList<>();
            if (commaLike > 0) {
                advice.add(commaLike + " number value(s) look like decimal commas or thousands separators (first, "
                        + firstCommaLike + ")");
            }
            return new ValidationReport(ruleSet.name(), total, valid, errorRows, warningRows,
                    errorsByField, warningsByField, firstErrors, formatUsed().toMap(), advice);
        }
    }

    private static String[] trimTrailingBlanks(String[] raw) {
        int n = raw.length;
        while (n > 0 && raw[n - 1].isBlank()) {
            n--;
        }
        return n == raw.length ? raw : Arrays.copyOf(raw, n);
    }

    private static boolean isBlank(String[] raw) {
        for (String value : raw) {
            if (!value.isBlank()) {
                return false;
            }
        }
        return true;
    }

    /** True if {@code v} has more than {@code limit} code points (cheap when it has at most limit chars). */
    static boolean longerThan(String v, int limit) {
        return v.length() > limit && v.codePointCount(0, v.length()) > limit;
    }
}
