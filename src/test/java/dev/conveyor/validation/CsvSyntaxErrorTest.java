package dev.conveyor.validation;

import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed CSV is recognised by the exception's type and told apart by our own grammar's note, never by the
 * parser's message: the same input gives the same kind whatever the message says, and the grammar finds a fault in
 * exactly the records commons-csv refuses.
 */
class CsvSyntaxErrorTest {

    private static final CSVFormat CSV = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).get();

    /** What the parser threw (null if it read the whole text) and the number of the record it was reading. */
    private record Parsed(CSVException thrown, long failingRecord, CsvLimitReader reader) {
    }

    private static Parsed parse(String text, char delimiter) throws IOException {
        CsvLimitReader reader = new CsvLimitReader(new StringReader(text), 1 << 20, 1 << 20, delimiter);
        CSVFormat format = delimiter == ',' ? CSV : CSV.builder().setDelimiter(delimiter).get();
        try (CSVParser parser = CSVParser.builder().setReader(reader).setFormat(format).get()) {
            try {
                for (CSVRecord ignored : parser) {
                    // read to the end or the first refused record
                }
                return new Parsed(null, -1, reader);
            } catch (UncheckedIOException e) {
                return new Parsed((CSVException) e.getCause(), parser.getRecordNumber() + 1, reader);
            }
        }
    }

    /** A CSVException whose message is whatever a future release might say (null included). */
    private static CSVException csvException(String message) {
        return new CSVException("") {
            @Override
            public String getMessage() {
                return message;
            }
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "(startline 2) EOF reached before encapsulated token finished",
            "Invalid character between encapsulated token and delimiter at line: 2, position: 9",
            "something a later release says",
    })
    void theKindComesFromTheTextNotFromTheMessage(String message) throws IOException {
        Parsed textAfterQuote = parse("a,b\nc,\"d\"e\n", ',');
        Parsed unclosed = parse("a,b\nc,\"d,e\n", ',');
        assertThat(textAfterQuote.thrown()).isNotNull();
        assertThat(unclosed.thrown()).isNotNull();

        for (CSVException e : new CSVException[] {csvException(message), csvException(null)}) {
            CsvSyntaxError after = CsvSyntaxError.of(new UncheckedIOException(e), textAfterQuote.reader().fault(),
                    textAfterQuote.failingRecord());
            assertThat(after.syntax()).isEqualTo(CsvLimitReader.Syntax.TEXT_AFTER_QUOTE);
            assertThat(after.field()).isEqualTo(2);
            assertThat(after.exception()).isSameAs(e);

            CsvSyntaxError open = CsvSyntaxError.of(e, unclosed.reader().fault(), unclosed.failingRecord());
            assertThat(open.syntax()).isEqualTo(CsvLimitReader.Syntax.UNCLOSED_QUOTE);
            assertThat(open.field()).isEqualTo(2);
        }
    }

    @Test
    void onlyACsvExceptionIsMalformedInputWhateverAnotherExceptionSays() throws IOException {
        Parsed unclosed = parse("a,\"b\n", ',');
        IOException readFailure = new IOException("(startline 1) EOF reached before encapsulated token finished");
        assertThat(CsvSyntaxError.of(readFailure, unclosed.reader().fault(), unclosed.failingRecord())).isNull();
        assertThat(CsvSyntaxError.of(new UncheckedIOException(readFailure), null, 1)).isNull();
    }

    @Test
    void aRefusalTheGrammarDidNotSeeIsStillMalformedButOfNoKnownKind() throws IOException {
        Parsed fine = parse("a,b\n", ',');
        CsvSyntaxError unknown = CsvSyntaxError.of(csvException("a rule of a later release"), fine.reader().fault(), 2);
        assertThat(unknown).isNotNull();
        assertThat(unknown.syntax()).isNull();
        // a note about another record is not taken for this one
        Parsed later = parse("a,b\nc,\"d\"e\n", ',');
        assertThat(CsvSyntaxError.of(csvException(""), later.reader().fault(), 1).syntax()).isNull();
    }

    @Test
    void theLineInTheRecordCountsQuotedLineBreaksBeforeTheFault() throws IOException {
        Parsed after = parse("h\n\"a\r\nb\nc\"x\n", ',');
        assertThat(after.reader().fault()).isEqualTo(
                new CsvLimitReader.Fault(CsvLimitReader.Syntax.TEXT_AFTER_QUOTE, 2, 1, 2));
        Parsed open = parse("h,i\n\"a\rb\",\"c\nd\n", ',');
        assertThat(open.reader().fault()).isEqualTo(
                new CsvLimitReader.Fault(CsvLimitReader.Syntax.UNCLOSED_QUOTE, 2, 2, 1));
    }

    /**
     * Random texts of quotes, delimiters, whitespace and line ends: commons-csv refuses a text exactly when the
     * grammar notes a fault, and in the record the fault names. A grammar out of step would give a message about
     * the wrong record or none.
     */
    @Test
    void theGrammarFindsAFaultExactlyWhereTheParserRefuses() throws IOException {
        Random random = new Random(20261130);
        int refused = 0;
        for (char delimiter : new char[] {',', ';', '\t'}) {
            String alphabet = "ab\"\" \t\r\n" + delimiter + delimiter;
            for (int i = 0; i < 2_000; i++) {
                StringBuilder text = new StringBuilder();
                int length = random.nextInt(24);
                for (int c = 0; c < length; c++) {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                Parsed parsed = parse(text.toString(), delimiter);
                CsvLimitReader.Fault fault = parsed.reader().fault();
                String what = "delimiter " + (int) delimiter + ", text " + text.toString()
                        .replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
                if (parsed.thrown() == null) {
                    assertThat(fault).as(what).isNull();
                } else {
                    refused++;
                    assertThat(fault).as(what).isNotNull();
                    assertThat(fault.recordNumber()).as(what).isEqualTo(parsed.failingRecord());
                }
            }
        }
        assertThat(refused).isGreaterThan(1_000);
    }
}
