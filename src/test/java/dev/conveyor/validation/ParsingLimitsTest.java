package dev.conveyor.validation;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The reading limits (field, row) and the digit cap: a row over one is an error row, the rows after it are read. */
class ParsingLimitsTest {

    private static final RuleSet RULES = Validation.defaultRules();
    private static final String HEADER = "sku,title,price,quantity\n";
    private static final String FIELD_REASON =
            "field 2 (title) is longer than 65536 characters (conveyor.validation.max-field-chars)";

    private static Validation run(ValidationOptions options, String csv) {
        return Validation.run(RULES, options, csv.getBytes(StandardCharsets.UTF_8));
    }

    private static List<CSVRecord> reportRecords(String report) throws IOException {
        try (CSVParser parser = CSVParser.parse(new StringReader(report), CSVFormat.RFC4180)) {
            return parser.getRecords();
        }
    }

    @Test
    void aOneMegabyteFieldIsAnErrorRowWithItsReasonAndTheRowsAfterItAreValidated() throws IOException {
        String huge = "x".repeat(1024 * 1024);
        String csv = HEADER
                + "SKU-1,Phone,1.00,1\n"
                + "SKU-2," + huge + ",2.00,2\n"                                   // unquoted
                + "SKU-3,Case,3.00,3\n"
                + "SKU-4,\"" + huge + ",\"\"quoted\"\"\r\nline two\n" + huge + "\",4.00,4\r\n"   // quoted, 3 lines
                + "SKU-5,Cable,abc,5\n";

        Validation r = run(ValidationOptions.defaults(), csv);

        assertThat(r.report.totalRows()).isEqualTo(5);
        assertThat(r.report.validRows()).isEqualTo(2);
        assertThat(r.report.errorRows()).isEqualTo(3);
        assertThat(r.validRowNumbers).containsExactly(1L, 3L);
        assertThat(r.validRows.get(1)).containsExactly("SKU-3", "Case", "3.00", "3");
        assertThat(r.report.errorsByField()).containsExactly(entry("title", 2L), entry("price", 1L));
        assertThat(r.report.firstErrors()).containsExactly(
                new RowIssue(2, 3, "title", FIELD_REASON),
                new RowIssue(4, 5, "title", FIELD_REASON),
                // the quoted field's three lines were dropped, yet the next row's line number is still right
                new RowIssue(5, 8, "price", "price: \"abc\" is not a decimal"));
        // the report names the reason and never echoes the oversized field
        List<CSVRecord> report = reportRecords(r.errorReport);
        assertThat(report).hasSize(4);
        assertThat(report.get(1).get(0)).isEqualTo("2");
        assertThat(report.get(1).get(2)).hasSize(50).endsWith("...");
        assertThat(report.get(1).get(5)).isEqualTo(FIELD_REASON);
        assertThat(r.errorReport.length()).isLessThan(1000);
    }

    @Test
    void aRowOverTheRecordLimitIsAnErrorRowAndTheNextRowIsRead() {
        ValidationOptions options = ValidationOptions.defaults().withMaxChars(1000, 40);
        String csv = HEADER
                + "SKU-1," + "t".repeat(30) + ",1,1\n"           // 37 characters: within
                + "SKU-2," + "t".repeat(40) + ",1,1\n"           // 47: over
                + "SKU-3,ok,1,1\n";

        Validation r = run(options, csv);

        assertThat(r.validRowNumbers).containsExactly(1L, 3L);
        assertThat(r.messages()).containsExactly("row is longer than 40 characters (conveyor.validation.max-record-chars)");
        assertThat(r.report.errorsByField()).containsExactly(entry("_row", 1L));
    }

    /**
     * A quoted field can be cut anywhere, also between the two quotes of an escaped {@code ""}: each time the parser
     * must get a closed field and the next record must come through intact.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "\"abcdefghijk\"",          // cut on a plain character inside quotes
            "\"abcdefgh\"\"ij\"",       // content reaches the limit at the escaped quote, cut right after it
            "\"abcdefghi\"\"j\"",       // cut on the second quote of an escaped pair
            "\"abcdefghij\"\"\"",       // cut on the first quote of an escaped pair
            "\"abc\r\n\"\"def\"\"\nghijk\"",   // quoted line breaks inside the dropped part
            "abcdefghijk",              // unquoted
            "\"abcdefghijk",            // never closed: the rest of the file is the field
    })
    void aFieldCutAnywhereLeavesTheParserInStep(String title) {
        ValidationOptions options = ValidationOptions.defaults().withMaxChars(10, 1000);
        String csv = HEADER + "SKU-1,\"q\"\"uoted\",1,1\nSKU-2," + title + ",2,2\r\nSKU-3,\"ab,\"\"cd\",3,3\n";

        Validation r = run(options, csv);

        assertThat(r.messages()).containsExactly(
                "field 2 (title) is longer than 10 characters (conveyor.validation.max-field-chars)");
        if (title.chars().filter(ch -> ch == '"').count() % 2 == 1) {
            // an unclosed quote swallows the rest of the file into the cut row
            assertThat(r.validRowNumbers).containsExactly(1L);
        } else {
            assertThat(r.validRowNumbers).containsExactly(1L, 3L);
            assertThat(r.validRows.get(1)).containsExactly("SKU-3", "ab,\"cd", "3", "3");
        }
        assertThat(r.validRows.get(0)).containsExactly("SKU-1", "q\"uoted", "1", "1");
    }

    @Test
    void aFieldAtTheLimitPassesAndItsQuotesAreNotCounted() {
        ValidationOptions options = ValidationOptions.defaults().withMaxChars(10, 1000);
        Validation r = run(options, HEADER + "SKU-1,abcdefghij,1,1\nSKU-2,\"abcdefgh\"\"i\",2,2\n");
        assertThat(r.report.errorRows()).isZero();
        assertThat(r.validRows.get(1).get(1)).isEqualTo("abcdefgh\"i");
    }

    @Test
    void aFileWhoseEveryRowIsOverTheLimitEndsWithOnlyErrorRows() {
        ValidationOptions options = ValidationOptions.defaults().withMaxChars(10, 1000);
        Validation r = run(options, HEADER + ("SKU,abcdefghijk,1,1\n").repeat(5));
        assertThat(r.report.totalRows()).isEqualTo(5);
        assertThat(r.report.validRows()).isZero();
        assertThat(r.report.errorRows()).isEqualTo(5);
    }

    @Test
    void anOversizedHeaderFailsTheFileWithTheReason() {
        ValidationOptions options = ValidationOptions.defaults().withMaxChars(10, 1000);
        assertThatThrownBy(() -> run(options, "sku,title,price,quantity_and_more\nSKU,a,1,1\n"))
                .isInstanceOf(CsvFormatException.class)
                .hasMessage("the header row is too long: field 4 is longer than 10 characters "
                        + "(conveyor.validation.max-field-chars)");
    }

    @Test
    void aSixHundredThousandDigitPriceIsRefusedByTheDigitCapBeforeAnyParsing() {
        // field limit raised so that the digit cap, not the field limit, is what refuses the value
        ValidationOptions options = ValidationOptions.defaults().withMaxChars(1_000_000, 2_000_000);
        String csv = HEADER + "SKU-1,Phone," + "9".repeat(600_000) + ",1\n"
                + "SKU-2,Case," + "1".repeat(40) + ",1\n"
                + "SKU-3,Case," + "1".repeat(41) + ",1\n"
                + "SKU-4,Case,-" + "1".repeat(20) + "." + "1".repeat(20) + ",1\n";

        Validation r = run(options, csv);

        assertThat(r.messages()).containsExactly(
                "price: not a number of at most 40 digits (600000 characters, conveyor.validation.max-number-digits)",
                "price: not a number of at most 40 digits (41 characters, conveyor.validation.max-number-digits)",
                "price: must be > 0 (was -11111111111111111111.11111111111111111111)");
        assertThat(r.validRowNumbers).containsExactly(2L);
    }

    @Test
    void withDefaultLimitsASixHundredThousandDigitPriceIsRefusedAsAnOversizedField() {
        Validation r = run(ValidationOptions.defaults(), HEADER + "SKU-1,Phone," + "9".repeat(600_000) + ",1\n");
        assertThat(r.messages()).containsExactly(
                "field 3 (price) is longer than 65536 characters (conveyor.validation.max-field-chars)");
    }

    /**
     * 300 MB of one field, made lazily and never held: the validation must end with the row as an error and read the
     * rows after it. The timeout only guards against a hang; it is no performance bound.
     */
    @Test
    @Tag("slow") // 300 MB through the parser
    void aThreeHundredMegabyteFieldMadeLazilyEndsAsAnErrorRowAndTheNextRowIsRead() {
        long fieldBytes = 300L * 1024 * 1024;
        InputStream csv = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                bytes(HEADER + "SKU-1,"), new RepeatedByte((byte) 'a', fieldBytes), bytes(",1,1\nSKU-2,ok,2,2\n"))));
        StringWriter report = new StringWriter();
        List<Long> valid = new ArrayList<>();

        ValidationReport result = assertTimeoutPreemptively(Duration.ofMinutes(5), () -> new CsvValidator(RULES)
                .validate(csv, (row, values) -> valid.add(row), report, null));

        assertThat(result.totalRows()).isEqualTo(2);
        assertThat(result.firstErrors()).extracting(RowIssue::message).containsExactly(FIELD_REASON);
        assertThat(valid).containsExactly(2L);
        assertThat(report.toString().length()).isLessThan(1000);
    }

    /** What bounds memory: the parser is never handed more of an oversized field than the limit. */
    @Test
    @Tag("slow") // 300 MB through the parser
    void theParserIsHandedAtMostTheLimitOfAThreeHundredMegabyteField() throws IOException {
        InputStream csv = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                bytes("a,"), new RepeatedByte((byte) 'a', 300L * 1024 * 1024), bytes(",b\nc,d\n"))));
        CsvLimitReader reader = new CsvLimitReader(new StrictUtf8Reader(csv), 65_536, 1_048_576);
        long handedOn = 0;
        char[] buffer = new char[8192];
        StringBuilder tail = new StringBuilder();
        for (int n; (n = reader.read(buffer, 0, buffer.length)) >= 0; ) {
            handedOn += n;
            tail.append(buffer, 0, n);
            if (tail.length() > 16) {
                tail.delete(0, tail.length() - 16);
            }
        }
        assertThat(handedOn).isEqualTo(2 + 65_536 + 1 + 4);   // "a," + the limit + the record end + "c,d\n"
        assertThat(tail.toString()).endsWith("a\nc,d\n");
        CsvLimitReader.Overflow cut = reader.take(1);
        assertThat(cut.limit).isEqualTo(CsvLimitReader.Limit.FIELD);
        assertThat(cut.field).isEqualTo(2);
        assertThat(reader.take(2)).isNull();
    }

    private static InputStream bytes(String text) {
        return new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code count} copies of one byte, produced as they are read. */
    static final class RepeatedByte extends InputStream {
        private final byte value;
        private long left;

        RepeatedByte(byte value, long count) {
            this.value = value;
            this.left = count;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return value & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, value);
            left -= n;
            return n;
        }
    }
}
