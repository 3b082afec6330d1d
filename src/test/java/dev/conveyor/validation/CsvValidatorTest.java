package dev.conveyor.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class CsvValidatorTest {

    private static final RuleSet RULES = Validation.defaultRules();
    private static final String HEADER = "sku,title,price,quantity\n";

    private static Validation run(String csv) {
        return Validation.run(RULES, csv);
    }

    private static Validation run(byte[] csv) {
        return Validation.run(RULES, ValidationOptions.defaults(), csv);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- happy path and counts

    @Test
    void validFileCountsAndSink() {
        Validation r = run(HEADER + "SKU-1,Phone,12.50,3\nSKU-2,Case,0.01,0\n");
        assertThat(r.report.totalRows()).isEqualTo(2);
        assertThat(r.report.validRows()).isEqualTo(2);
        assertThat(r.report.errorRows()).isZero();
        assertThat(r.report.warningRows()).isZero();
        assertThat(r.report.errorRate()).isZero();
        assertThat(r.report.ruleSet()).isEqualTo("default");
        assertThat(r.validRowNumbers).containsExactly(1L, 2L);
        assertThat(r.validRows).containsExactly(List.of("SKU-1", "Phone", "12.50", "3"),
                List.of("SKU-2", "Case", "0.01", "0"));
        assertThat(r.errorReport).isEqualTo("row,sku,title,price,quantity,errors\n");
    }

    @Test
    void mixedRowsWithMessagesAndRate() {
        Validation r = run(HEADER
                + "SKU-1,Phone,12.50,3\n"
                + "SKU-2,Case,abc,1\n"
                + ",Cable,-1.00,2.5\n"
                + "SKU-4," + "t".repeat(72) + ",1,1\n");
        ValidationReport report = r.report;
        assertThat(report.totalRows()).isEqualTo(4);
        assertThat(report.validRows()).isEqualTo(2);
        assertThat(report.errorRows()).isEqualTo(2);
        assertThat(report.warningRows()).isEqualTo(1);
        assertThat(report.errorRate()).isEqualTo(0.5);
        assertThat(report.errorsByField()).containsExactly(entry("sku", 1L), entry("price", 2L), entry("quantity", 1L));
        assertThat(report.warningsByField()).containsExactly(entry("title", 1L));
        assertThat(report.firstErrors()).containsExactly(
                new RowIssue(2, 3, "price", "price: \"abc\" is not a decimal"),
                new RowIssue(3, 4, "sku", "sku: is required"),
                new RowIssue(3, 4, "price", "price: must be > 0 (was -1.00)"),
                new RowIssue(3, 4, "quantity", "quantity: must be an integer (was \"2.5\")"));
        assertThat(r.validRowNumbers).containsExactly(1L, 4L);
    }

    @Test
    void warningMessageForLongTitle() {
        RuleSet strict = RuleSetRepository.load(null).forListing("mercado_livre", "electronics");
        Validation r = Validation.run(strict, HEADER + "SKU-1," + "t".repeat(72) + ",1,1\n");
        assertThat(r.messages()).containsExactly("title: longer than 60 characters (72)");
        Validation warn = run(HEADER + "SKU-1," + "t".repeat(72) + ",1,1\n");
        assertThat(warn.report.warningRows()).isEqualTo(1);
        assertThat(warn.report.firstErrors()).isEmpty();
    }

    // ---------------------------------------------------------------- header

    @Test
    void missingColumnIsAHeaderErrorNamingExpectedAndFound() {
        assertThatThrownBy(() -> run("sku,title,cost,quantity\nA,b,1,1\n"))
                .isInstanceOf(CsvHeaderException.class)
                .hasMessage("wrong header: missing column(s) price; expected sku,title,price,quantity; "
                        + "found sku,title,cost,quantity")
                .satisfies(e -> {
                    CsvHeaderException h = (CsvHeaderException) e;
                    assertThat(h.missing()).containsExactly("price");
                    assertThat(h.found()).containsExactly("sku", "title", "cost", "quantity");
                    assertThat(h.expected()).containsExactly("sku", "title", "price", "quantity");
                });
    }

    @Test
    void duplicatedColumnIsAHeaderError() {
        assertThatThrownBy(() -> run("sku,title,price,quantity,SKU \nA,b,1,1,A\n"))
                .isInstanceOf(CsvHeaderException.class)
                .hasMessage("wrong header: duplicated column(s) SKU; expected sku,title,price,quantity; "
                        + "found sku,title,price,quantity,SKU");
    }

    @Test
    void reorderedColumnsAreValidAndTheSinkGetsRuleSetOrder() {
        Validation r = run("quantity,price,sku,title\n3,12.50,SKU-1,Phone\n");
        assertThat(r.report.validRows()).isEqualTo(1);
        assertThat(r.validRows).containsExactly(List.of("SKU-1", "Phone", "12.50", "3"));
    }

    @Test
    void extraColumnsAreIgnored() {
        Validation r = run("brand,sku,title,price,quantity,notes\nAcme,SKU-1,Phone,12.50,3,\"anything, really\"\n");
        assertThat(r.report.validRows()).isEqualTo(1);
        assertThat(r.validRows).containsExactly(List.of("SKU-1", "Phone", "12.50", "3"));
    }

    @Test
    void headerWithBomCaseAndWhitespace() {
        Validation r = run(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                bytes(" Sku ,TITLE,\tPrice,quantity \r\nSKU-1,Phone,1,1\r\n")));
        assertThat(r.report.validRows()).isEqualTo(1);
        assertThat(r.validRows.get(0).get(0)).isEqualTo("SKU-1");
    }

    @Test
    void optionalHeaderColumnMayBeAbsent() {
        RuleSet rules = new RuleSet("t", "t", List.of(ColumnRule.builder("sku").required(true).build(),
                ColumnRule.builder("ean").optionalHeader(true).maxLength(3).build()));
        Validation without = Validation.run(rules, "sku\nA\n");
        assertThat(without.report.validRows()).isEqualTo(1);
        assertThat(without.validRows).containsExactly(List.of("A", ""));
        Validation with = Validation.run(rules, "ean,sku\n1234,A\n");
        assertThat(with.messages()).containsExactly("ean: longer than 3 characters (4)");
        assertThatThrownBy(() -> Validation.run(rules, "ean\n1\n")).isInstanceOf(CsvHeaderException.class)
                .hasMessage("wrong header: missing column(s) sku; expected sku (optional: ean); found ean");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\n\n", "  \r\n \n", "\uFEFF", "\uFEFF\n", ",,,\n"})
    void emptyInputHasNoHeader(String content) {
        assertThatThrownBy(() -> run(content))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessage("file is empty: no header row");
    }

    @Test
    void headerOnlyIsZeroRows() {
        Validation r = run(HEADER);
        assertThat(r.report.totalRows()).isZero();
        assertThat(r.report.errorRate()).isZero();
    }

    // ---------------------------------------------------------------- encoding and CSV syntax

    @Test
    void invalidUtf8NamesTheRow() {
        byte[] csv = concat(bytes(HEADER), bytes("A,ok,1,1\nB,ok,1,1\nC,caf"), new byte[] {(byte) 0xE9},
                bytes(",1,1\nD,ok,1,1\n"));
        assertThatThrownBy(() -> run(csv))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessageStartingWith("file is not valid UTF-8 text (invalid byte sequence near row 3,");
    }

    @Test
    void invalidUtf8FarIntoTheFileStillNamesTheRightRow() {
        StringBuilder text = new StringBuilder(HEADER);
        for (int i = 1; i <= 5000; i++) {
            text.append("SKU-").append(i).append(",Título ").append(i).append(",1.00,1\n");
        }
        byte[] csv = concat(bytes(text.toString()), bytes("X,"), new byte[] {(byte) 0xC3, (byte) 0x28}, bytes(",1,1\n"));
        assertThatThrownBy(() -> run(csv))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessageStartingWith("file is not valid UTF-8 text (invalid byte sequence near row 5001,");
    }

    @Test
    void invalidUtf8InHeaderAndTruncatedSequenceAtEnd() {
        assertThatThrownBy(() -> run(concat(bytes("sku,t"), new byte[] {(byte) 0xFF}, bytes("itle\n"))))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessageContaining("in the header row");
        assertThatThrownBy(() -> run(concat(bytes(HEADER + "A,b,1,"), new byte[] {(byte) 0xE2, (byte) 0x82})))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessageStartingWith("file is not valid UTF-8 text (invalid byte sequence near row 1,");
    }

    @Test
    void latin1FileIsRejectedNotMisread() {
        byte[] latin1 = (HEADER + "A,Câmera,1,1\n").getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> run(latin1)).isInstanceOf(CsvFormatException.class)
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void multiByteCharactersAreKept() {
        Validation r = run(HEADER + "A,Câmera 📷 ação,1,1\n");
        assertThat(r.validRows.get(0).get(1)).isEqualTo("Câmera 📷 ação");
    }

    @Test
    void unclosedQuoteIsAFormatError() {
        assertThatThrownBy(() -> run(HEADER + "A,ok,1,1\nB,\"never closed,1,1\nC,x,1,1\n"))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessage("malformed CSV near row 2: a quoted field starting on line 3 is never closed"
                        + " (close it with a quote; a quote inside a quoted field must be doubled: \"\")");
        assertThatThrownBy(() -> run(HEADER + "A,\"ok\"x,1,1\n"))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessageStartingWith("malformed CSV near row 1: unexpected text after a closing quote");
    }

    // ---------------------------------------------------------------- malformed CSV: each kind, its own message

    private static final String DOUBLE_THE_QUOTE = " (a quote inside a quoted field must be doubled: \"\")";

    @Test
    void anUnclosedQuoteNamesTheLineWhereTheQuoteOpens() {
        // the record starts on line 3; its first quoted field spans two lines, the unclosed one opens on line 4
        assertThatThrownBy(() -> run(HEADER + "A,ok,1,1\nB,\"two\nlines\",\"1,1\nC,x,1,1\n"))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessage("malformed CSV near row 2: a quoted field starting on line 4 is never closed"
                        + " (close it with a quote; a quote inside a quoted field must be doubled: \"\")");
        assertThatThrownBy(() -> run("sku,\"title,price,quantity\nA,b,1,1\n"))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessage("malformed CSV in the header row: a quoted field starting on line 1 is never closed"
                        + " (close it with a quote; a quote inside a quoted field must be doubled: \"\")");
    }

    @Test
    void textAfterAClosingQuoteNamesTheFieldAndTheLine() {
        assertThatThrownBy(() -> run(HEADER + "A,ok,1,1\nB,\"12\" monitor\",1,1\n"))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessage("malformed CSV near row 2: unexpected text after a closing quote in field 2 (title)"
                        + " of the record on line 3" + DOUBLE_THE_QUOTE);
        // the parser skips whitespace after a closing quote, then refuses what follows it
        assertThatThrownBy(() -> run(HEADER + "A,ok,\"1\"  \t x,1\n"))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessage("malformed CSV near row 1: unexpected text after a closing quote in field 3 (price)"
                        + " of the record on line 2" + DOUBLE_THE_QUOTE);
        assertThatThrownBy(() -> run(HEADER + "A,\"two\r\nlines\"x,1,1\n"))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessage("malformed CSV near row 1: unexpected text after a closing quote in field 2 (title)"
                        + " on line 3 (the record starts on line 2)" + DOUBLE_THE_QUOTE);
        assertThatThrownBy(() -> run("sku,\"title\"s,price,quantity\n"))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessage("malformed CSV in the header row: unexpected text after a closing quote in field 2"
                        + " of the record on line 1" + DOUBLE_THE_QUOTE);
    }

    @Test
    void textAfterAClosingQuoteWithASemicolonDelimiter() {
        RuleSet semicolon = RuleSetParser.parse("test", "semicolon", new ByteArrayInputStream(bytes("""
                delimiter: semicolon
                columns:
                  - {name: sku}
                  - {name: title}
                """)));
        assertThatThrownBy(() -> Validation.run(semicolon, "sku;title\nA;\"x\",y\n"))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessage("malformed CSV near row 1: unexpected text after a closing quote in field 2 (title)"
                        + " of the record on line 2" + DOUBLE_THE_QUOTE);
    }

    @Test
    void whitespaceAfterAClosingQuoteIsNotAnError() {
        // what the parser accepts the grammar must accept too: a false fault would name the wrong record
        Validation r = run(HEADER + "A,\"ok\" \t,1,1\r\nB,\"x\"\"y\",2,2\n");
        assertThat(r.report.errorRows()).isZero();
        assertThat(r.validRows).containsExactly(List.of("A", "ok", "1", "1"), List.of("B", "x\"y", "2", "2"));
        assertThatThrownBy(() -> run(HEADER + "A,\"ok\" ,1,1\nB,\"x\"y,2,2\n"))
                .isExactlyInstanceOf(CsvFormatException.class)
                .hasMessage("malformed CSV near row 2: unexpected text after a closing quote in field 2 (title)"
                        + " of the record on line 3" + DOUBLE_THE_QUOTE);
    }

    @Test
    void wrongColumnCountIsAnErrorRow() {
        Validation r = run(HEADER + "A,b,1,1,extra\nB,b,1\nC,c,1,1\n");
        assertThat(r.report.errorRows()).isEqualTo(2);
        assertThat(r.report.validRows()).isEqualTo(1);
        assertThat(r.report.errorsByField()).containsExactly(entry("_row", 2L));
        assertThat(r.report.firstErrors()).containsExactly(
                new RowIssue(1, 2, "_row", "expected 4 columns, found 5"),
                new RowIssue(2, 3, "_row", "expected 4 columns, found 3"));
        assertThat(r.errorReport).isEqualTo("""
                row,sku,title,price,quantity,errors
                1,A,b,1,1,"expected 4 columns, found 5"
                2,B,b,1,,"expected 4 columns, found 3"
                """);
    }

    @Test
    void quotedFieldsWithCommasQuotesAndNewlines() {
        Validation r = run(HEADER
                + "A,\"Phone, black\",1,1\n"
                + "B,\"He said \"\"hi\"\"\nsecond line\",2,2\r\n"
                + "C,x,abc,1\n");
        assertThat(r.report.validRows()).isEqualTo(2);
        assertThat(r.validRows.get(0).get(1)).isEqualTo("Phone, black");
        assertThat(r.validRows.get(1).get(1)).isEqualTo("He said \"hi\"\nsecond line");
        // the quoted newline makes row 3 start on physical line 5
        assertThat(r.report.firstErrors()).containsExactly(new RowIssue(3, 5, "price", "price: \"abc\" is not a decimal"));
    }

    @Test
    void blankLinesAreSkippedAndNotCounted() {
        Validation r = run("\n" + HEADER + "\nA,a,1,1\n\n   \n,,,\nB,b,x,1\n\n");
        assertThat(r.report.totalRows()).isEqualTo(2);
        assertThat(r.validRowNumbers).containsExactly(1L);
        assertThat(r.report.firstErrors()).containsExactly(new RowIssue(2, 8, "price", "price: \"x\" is not a decimal"));
    }

    // ---------------------------------------------------------------- error list, report, progress

    @Test
    void firstErrorsAreCappedButCountsAreNot() {
        StringBuilder csv = new StringBuilder(HEADER);
        for (int i = 1; i <= 30; i++) {
            csv.append("S").append(i).append(",t,bad,-").append(i).append('\n');
        }
        Validation r = Validation.run(RULES, new ValidationOptions(5, 10_000), bytes(csv.toString()));
        assertThat(r.report.errorRows()).isEqualTo(30);
        assertThat(r.report.errorsByField()).containsExactly(entry("price", 30L), entry("quantity", 30L));
        assertThat(r.report.firstErrors()).hasSize(5);
        assertThat(r.report.firstErrors()).extracting(RowIssue::row).containsExactly(1L, 1L, 2L, 2L, 3L);
        assertThat(r.errorReport.lines()).hasSize(31);   // the report is not capped

        Validation defaults = run(csv.toString());
        assertThat(defaults.report.firstErrors()).hasSize(ValidationOptions.DEFAULT_MAX_ERRORS);
        Validation none = Validation.run(RULES, new ValidationOptions(0, 10), bytes(csv.toString()));
        assertThat(none.report.firstErrors()).isEmpty();
        assertThat(none.report.errorRows()).isEqualTo(30);
    }

    @Test
    void errorReportHasRuleSetColumnsAllMessagesAndIsValidCsv() throws IOException {
        Validation r = run("quantity,title,sku,price,extra\n"
                + "1,ok,A,1,x\n"
                + "-2,\"Comma, \"\"quoted\"\"\",,abc,y\n");
        try (CSVParser parser = CSVParser.parse(new StringReader(r.errorReport),
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            assertThat(parser.getHeaderNames()).containsExactly("row", "sku", "title", "price", "quantity", "errors");
            List<CSVRecord> records = parser.getRecords();
            assertThat(records).hasSize(1);
            CSVRecord line = records.get(0);
            assertThat(line.get("row")).isEqualTo("2");
            assertThat(line.get("sku")).isEmpty();
            assertThat(line.get("title")).isEqualTo("Comma, \"quoted\"");
            assertThat(line.get("price")).isEqualTo("abc");
            assertThat(line.get("quantity")).isEqualTo("-2");
            assertThat(line.get("errors")).isEqualTo(
                    "sku: is required; price: \"abc\" is not a decimal; quantity: must be >= 0 (was -2)");
        }
    }

    @Test
    void noErrorReportWriterIsFine() throws IOException {
        ValidationReport report = new CsvValidator(RULES).validate(
                new ByteArrayInputStream(bytes(HEADER + "A,b,x,1\n")), RowSink.NONE, null, null);
        assertThat(report.errorRows()).isEqualTo(1);
        assertThat(report.firstErrors()).hasSize(1);
    }

    @Test
    void progressIsReportedEveryIntervalRows() throws IOException {
        StringBuilder csv = new StringBuilder(HEADER);
        for (int i = 0; i < 25; i++) {
            csv.append(i % 2 == 0 ? "A,b,1,1\n" : "A,b,x,1\n");
        }
        List<Long> calls = new ArrayList<>();
        new CsvValidator(RULES, ValidationOptions.defaults().withProgressInterval(10))
                .validate(new ByteArrayInputStream(bytes(csv.toString())), RowSink.NONE, null, calls::add);
        assertThat(calls).containsExactly(10L, 20L);
    }

    @Test
    void progressListenerCanAbort() {
        StringBuilder csv = new StringBuilder(HEADER);
        for (int i = 0; i < 100; i++) {
            csv.append("A,b,1,1\n");
        }
        List<Long> sunk = new ArrayList<>();
        IllegalStateException cancel = new IllegalStateException("cancelled");
        CsvValidator validator = new CsvValidator(RULES, ValidationOptions.defaults().withProgressInterval(30));
        assertThatThrownBy(() -> validator.validate(new ByteArrayInputStream(bytes(csv.toString())),
                (n, v) -> sunk.add(n), null, rows -> {
                    if (rows >= 60) {
                        throw cancel;
                    }
                })).isSameAs(cancel);
        assertThat(sunk).hasSize(60);
    }

    @Test
    void sinkFailurePropagates() {
        IOException boom = new IOException("disk full");
        assertThatThrownBy(() -> new CsvValidator(RULES).validate(
                new ByteArrayInputStream(bytes(HEADER + "A,b,1,1\n")), (n, v) -> {
                    throw boom;
                }, null, null)).isSameAs(boom);
    }

    @Test
    void inputStreamIsNotClosed() throws IOException {
        boolean[] closed = {false};
        ByteArrayInputStream in = new ByteArrayInputStream(bytes(HEADER + "A,b,1,1\n")) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        new CsvValidator(RULES).validate(in, RowSink.NONE, null, null);
        assertThat(closed[0]).isFalse();
    }

    @Test
    void sinkArraysAreNotReused() throws IOException {
        List<String[]> kept = new ArrayList<>();
        new CsvValidator(RULES).validate(new ByteArrayInputStream(bytes(HEADER + "A,a,1,1\nB,b,2,2\n")),
                (n, values) -> kept.add(values), null, null);
        assertThat(kept).hasSize(2);
        assertThat(kept.get(0)).containsExactly("A", "a", "1", "1");
        assertThat(kept.get(1)).containsExactly("B", "b", "2", "2");
    }

    // ---------------------------------------------------------------- report serialisation

    @Test
    void reportSerialisesWithSnakeCase() throws IOException {
        Validation r = run(HEADER + "A,a,1,1\nB,b,x,1\n");
        ObjectMapper mapper = new ObjectMapper();
        JsonNode json = mapper.readTree(mapper.writeValueAsString(r.report));
        assertThat(json.get("total_rows").asLong()).isEqualTo(2);
        assertThat(json.get("valid_rows").asLong()).isEqualTo(1);
        assertThat(json.get("error_rows").asLong()).isEqualTo(1);
        assertThat(json.get("warning_rows").asLong()).isZero();
        assertThat(json.get("error_rate").asDouble()).isEqualTo(0.5);
        assertThat(json.get("errors_by_field").get("price").asLong()).isEqualTo(1);
        assertThat(json.get("warnings_by_field").isEmpty()).isTrue();
        assertThat(json.get("first_errors").get(0).get("message").asText()).isEqualTo("price: \"x\" is not a decimal");
        assertThat(json.get("first_errors").get(0).get("row").asLong()).isEqualTo(2);
        assertThat(json.get("rule_set").asText()).isEqualTo("default");

        Map<String, Object> map = r.report.toMap();
        assertThat(map).containsEntry("total_rows", 2L).containsEntry("error_rate", 0.5)
                .containsKeys("valid_rows", "error_rows", "warning_rows", "errors_by_field", "warnings_by_field",
                        "first_errors");
        assertThat(mapper.readTree(mapper.writeValueAsString(map))).isEqualTo(json);
        // and it reads back
        assertThat(mapper.readValue(mapper.writeValueAsString(r.report), ValidationReport.class)).isEqualTo(r.report);
    }

    @Test
    void reportIsImmutable() {
        Validation r = run(HEADER + "B,b,x,1\n");
        assertThatThrownBy(() -> r.report.errorsByField().put("x", 1L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.report.firstErrors().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> new ValidationOptions(-1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ValidationOptions(1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ValidationOptions.defaults()).isEqualTo(new ValidationOptions(20, 10_000));
    }
}
