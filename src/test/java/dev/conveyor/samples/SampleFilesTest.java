package dev.conveyor.samples;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.conveyor.validation.CsvValidator;
import dev.conveyor.validation.RuleSet;
import dev.conveyor.validation.RuleSetRepository;
import dev.conveyor.validation.ValidationReport;
import dev.conveyor.validation.XlsxRows;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The samples the README uses: each twin of listings.csv passes mercado_livre/electronics with the same valid rows,
 * and listings-with-errors.csv has its error rows. Run with {@code -Dsamples.write=true} to rebuild the twins
 * (listings-excel-br.csv, listings.xlsx) from listings.csv first.
 */
class SampleFilesTest {

    private static final RuleSet ML = RuleSetRepository.load(null).forListing("mercado_livre", "electronics");

    @Test
    void theTwinsOfListingsCsvHandOnTheSameRows() throws IOException {
        if (Boolean.getBoolean("samples.write")) {
            SampleFiles.writeAll(SampleFiles.DIR);
        }
        List<List<String>> csv = new ArrayList<>();
        ValidationReport plain = new CsvValidator(ML).validate(
                new ByteArrayInputStream(Files.readAllBytes(SampleFiles.DIR.resolve("listings.csv"))),
                (row, values) -> csv.add(List.of(values)), null, null);
        assertThat(plain.totalRows()).isEqualTo(5);
        assertThat(plain.validRows()).isEqualTo(5);
        assertThat(plain.warningRows()).isZero();
        assertThat(csv.get(0)).containsExactly("ML-1001", "Câmera digital 20MP", "1299.90", "12");

        byte[] br = Files.readAllBytes(SampleFiles.DIR.resolve("listings-excel-br.csv"));
        assertThat(br).isEqualTo(SampleFiles.excelBrazil(SampleFiles.rows(SampleFiles.DIR.resolve("listings.csv"))));
        List<List<String>> brazil = new ArrayList<>();
        ValidationReport excel = new CsvValidator(ML).validate(new ByteArrayInputStream(br),
                (row, values) -> brazil.add(List.of(values)), null, null);
        assertThat(excel.validRows()).isEqualTo(5);
        assertThat(brazil).isEqualTo(csv);
        assertThat(excel.fileFormat()).containsEntry("delimiter", ";").containsEntry("encoding", "windows-1252")
                .containsEntry("decimal_separator", ",");

        List<List<String>> sheet = new ArrayList<>();
        try (XlsxRows xlsx = XlsxRows.open(SampleFiles.DIR.resolve("listings.xlsx"), null)) {
            ValidationReport workbook = new CsvValidator(ML).validate(xlsx,
                    (row, values) -> sheet.add(List.of(values)), null, null);
            assertThat(workbook.validRows()).isEqualTo(5);
            assertThat(workbook.fileFormat()).containsEntry("type", "xlsx").containsEntry("sheet", "Anúncios");
        }
        assertThat(sheet).isEqualTo(csv);
    }

    @Test
    void listingsWithErrorsHasClearReasons() throws IOException {
        ValidationReport report = new CsvValidator(ML).validate(Files.newInputStream(
                Path.of("samples/listings-with-errors.csv")), (row, values) -> { }, null, null);
        assertThat(report.totalRows()).isEqualTo(8);
        assertThat(report.validRows()).isEqualTo(2);
        assertThat(report.firstErrors()).extracting(e -> e.row() + " " + e.message()).containsExactly(
                "2 sku: \"ml-1002\" does not match the expected format (3 to 40 upper-case letters, digits or dashes,"
                        + " like SKU-000123)",
                "3 title: is required",
                "4 price: \"abc\" is not a decimal",
                "5 quantity: must be >= 0 (was -3)",
                "6 price: must be > 0 (was 0)",
                "7 price: \"59,90\" is not a decimal");
        assertThat(report.advice()).singleElement().asString().contains("decimal comma")
                .contains("decimal-separator");
    }
}
