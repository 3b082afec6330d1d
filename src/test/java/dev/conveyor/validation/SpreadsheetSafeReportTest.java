package dev.conveyor.validation;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The error report echoes what users sent; nothing in it may run as a formula when opened in a spreadsheet. */
class SpreadsheetSafeReportTest {

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
            "=cmd|' /C calc'!A0 => '=cmd|' /C calc'!A0",
            "=HYPERLINK(\"http://evil.example\",\"click\") => '=HYPERLINK(\"http://evil.example\",\"click\")",
            "+1+cmd => '+1+cmd",
            "-2+3+cmd => '-2+3+cmd",
            "@SUM(A1:A2) => '@SUM(A1:A2)",
            "- => '-",
            "-1.50 => -1.50",
            "+7 => +7",
            "Phone case => Phone case",
            "a=b => a=b",
    })
    void cellsThatASpreadsheetWouldEvaluateGetALeadingQuote(String cell, String safe) {
        assertThat(SpreadsheetSafe.cell(cell)).isEqualTo(safe);
    }

    @Test
    void aLeadingTabOrCarriageReturnGetsALeadingQuote() {
        assertThat(SpreadsheetSafe.cell("\t=1+1")).isEqualTo("'\t=1+1");
        assertThat(SpreadsheetSafe.cell("\r=1+1")).isEqualTo("'\r=1+1");
        assertThat(SpreadsheetSafe.cell("")).isEmpty();
    }

    @Test
    void theErrorReportsCellsThatCouldBeFormulasStartWithAQuoteAndOthersAreUnchanged() throws IOException {
        String csv = """
                sku,title,price,quantity
                =cmd|' /C calc'!A0,"=HYPERLINK(""http://evil.example"",""click"")",abc,1
                @SUM(A1),Phone case,-1.50,+5x
                "-2+3+cmd|' /C calc'!A0",ok,1.00,-1
                """;

        Validation r = Validation.run(Validation.defaultRules(), csv);

        List<CSVRecord> report;
        try (CSVParser parser = CSVParser.parse(new StringReader(r.errorReport),
                CSVFormat.RFC4180.builder().setHeader().get())) {
            report = parser.getRecords();
        }
        assertThat(report).hasSize(3);
        assertThat(report.get(0).get("sku")).isEqualTo("'=cmd|' /C calc'!A0");
        assertThat(report.get(0).get("title")).isEqualTo("'=HYPERLINK(\"http://evil.example\",\"click\")");
        assertThat(report.get(0).get("price")).isEqualTo("abc");
        assertThat(report.get(1).get("sku")).isEqualTo("'@SUM(A1)");
        assertThat(report.get(1).get("title")).isEqualTo("Phone case");
        assertThat(report.get(1).get("price")).isEqualTo("-1.50");           // a plain number cannot be a formula
        assertThat(report.get(1).get("quantity")).isEqualTo("'+5x");
        assertThat(report.get(2).get("sku")).isEqualTo("'-2+3+cmd|' /C calc'!A0");
        assertThat(report.get(2).get("quantity")).isEqualTo("-1");
        // the messages quote the values too, after the column name, so they never start a formula
        assertThat(report).allSatisfy(row -> assertThat(row.get("errors")).matches("^(sku|title|price|quantity): .*"));
        assertThat(report.get(0).get("errors")).contains("\"abc\" is not a decimal");
        // every cell of the report, whatever it holds: only a plain number may start with a sign
        for (CSVRecord row : report) {
            for (String cell : row.values()) {
                assertThat(cell).as(cell).matches("(?s)^([^=+\\-@\t\r].*|[+-]?[0-9]+(\\.[0-9]+)?|)$");
            }
        }
    }
}
