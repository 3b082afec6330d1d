package dev.conveyor.validation;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.apache.poi.openxml4j.util.ZipSecureFile;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.xssf.streaming.SXSSFWorkbook;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** .xlsx sheets through the validator: values as text, streaming, sheet choice, and the zip-bomb guards. */
class XlsxRowsTest {

    @TempDir
    Path dir;

    private static final RuleSet RULES = RuleSetRepository.load(null).defaultRuleSet();

    private Path write(String name, Workbook workbook) throws IOException {
        Path file = dir.resolve(name);
        try (workbook; OutputStream out = Files.newOutputStream(file)) {
            workbook.write(out);
        }
        return file;
    }

    private static ValidationReport validate(Path file, RuleSet rules, List<List<String>> rows) throws IOException {
        try (XlsxRows sheet = XlsxRows.open(file, rules.format().sheet())) {
            return new CsvValidator(rules).validate(sheet, (n, values) -> rows.add(List.of(values)), null, null);
        }
    }

    @Test
    void cellsComeOutAsPlainTextNumbersAndIsoDates() throws IOException {
        XSSFWorkbook wb = new XSSFWorkbook();
        Sheet sheet = wb.createSheet("Listings");
        CellStyle twoPlaces = wb.createCellStyle();
        twoPlaces.setDataFormat(wb.createDataFormat().getFormat("#,##0.00"));
        CellStyle date = wb.createCellStyle();
        date.setDataFormat(wb.createDataFormat().getFormat("dd/mm/yyyy"));
        CellStyle dateTime = wb.createCellStyle();
        dateTime.setDataFormat(wb.createDataFormat().getFormat("dd/mm/yyyy hh:mm"));
        Row header = sheet.createRow(0);
        String[] names = {"sku", "title", "price", "quantity", "listed", "updated", "big"};
        for (int i = 0; i < names.length; i++) {
            header.createCell(i).setCellValue(names[i]);
        }
        Row r = sheet.createRow(1);
        r.createCell(0).setCellValue("SKU-1");
        r.createCell(1).setCellValue("Câmera");
        r.createCell(2).setCellValue(1299.9);
        r.getCell(2).setCellStyle(twoPlaces);
        r.createCell(3).setCellValue(10_000_000d);
        r.createCell(4).setCellValue(LocalDate.of(2024, 5, 1));
        r.getCell(4).setCellStyle(date);
        r.createCell(5).setCellValue(LocalDateTime.of(2024, 5, 1, 10, 30));
        r.getCell(5).setCellStyle(dateTime);
        r.createCell(6).setCellValue(0.1 + 0.2);
        // a row with only some cells and a gap: missing cells are blank, the row is not short
        Row sparse = sheet.createRow(3);
        sparse.createCell(0).setCellValue("SKU-2");
        sparse.createCell(1).setCellValue("t");
        sparse.createCell(2).setCellValue(5);
        sparse.createCell(3).setCellValue(1);
        Path file = write("values.xlsx", wb);

        List<List<String>> cells = new ArrayList<>();
        try (XlsxRows rows = XlsxRows.open(file, null)) {
            rows.read((n, values, cut) -> cells.add(List.of(values)), 1000, 10_000, '.');
        }
        assertThat(cells.get(1)).containsExactly("SKU-1", "Câmera", "1299.90", "10000000", "2024-05-01",
                "2024-05-01T10:30", "0.30000000000000004");

        List<List<String>> valid = new ArrayList<>();
        ValidationReport report = validate(file, RULES, valid);
        assertThat(report.totalRows()).isEqualTo(2);
        assertThat(valid).containsExactly(List.of("SKU-1", "Câmera", "1299.90", "10000000"),
                List.of("SKU-2", "t", "5", "1"));
        assertThat(report.fileFormat()).containsEntry("type", "xlsx").containsEntry("sheet", "Listings");
    }

    @Test
    void errorRowsNameTheSheetRowAndAnEmptySheetOrAWrongHeaderIsRefused() throws IOException {
        XSSFWorkbook wb = new XSSFWorkbook();
        Sheet sheet = wb.createSheet("S");
        String[][] data = {{"title", "sku", "price", "quantity"}, {}, {"A", "SKU-1", "abc", "1"}, {"B", "SKU-2", "1"}};
        for (int i = 0; i < data.length; i++) {
            Row row = sheet.createRow(i + 2);
            for (int c = 0; c < data[i].length; c++) {
                row.createCell(c).setCellValue(data[i][c]);
            }
        }
        wb.createSheet("Empty");
        Path file = write("errors.xlsx", wb);
        ValidationReport report = validate(file, RULES, new ArrayList<>());
        assertThat(report.firstErrors()).containsExactly(
                new RowIssue(1, 5, "price", "price: \"abc\" is not a decimal"),
                new RowIssue(2, 6, "quantity", "quantity: is required"));

        RuleSet emptySheet = new RuleSet("e", "e", RULES.columns(), new FileFormat(FileFormat.AUTO, "utf-8", '.',
                FileFormat.NONE, "empty"));
        assertThatThrownBy(() -> validate(file, emptySheet, new ArrayList<>())).isInstanceOf(CsvFormatException.class)
                .hasMessage("the sheet 'Empty' is empty: no header row");
        RuleSet missingSheet = new RuleSet("m", "m", RULES.columns(), new FileFormat(FileFormat.AUTO, "utf-8", '.',
                FileFormat.NONE, "Anúncios"));
        assertThatThrownBy(() -> validate(file, missingSheet, new ArrayList<>()))
                .hasMessage("the workbook has no sheet named 'Anúncios' (the rule set's sheet:); its sheets: S, Empty");
    }

    @Test
    void aDecimalCommaRuleSetReadsNumberCellsAndTextCellsAlike() throws IOException {
        XSSFWorkbook wb = new XSSFWorkbook();
        Sheet sheet = wb.createSheet("S");
        Object[][] data = {{"sku", "title", "price", "quantity"}, {"A", "x", 199.9, 1d}, {"B", "y", "199,90", "2"},
                {"C", "z", "1.299", "3"}};
        for (int i = 0; i < data.length; i++) {
            Row row = sheet.createRow(i);
            for (int c = 0; c < data[i].length; c++) {
                if (data[i][c] instanceof Double d) {
                    row.createCell(c).setCellValue(d);
                } else {
                    row.createCell(c).setCellValue((String) data[i][c]);
                }
            }
        }
        Path file = write("comma.xlsx", wb);
        RuleSet br = new RuleSet("br", "br", RULES.columns(), new FileFormat(FileFormat.AUTO, "utf-8", ',',
                FileFormat.NONE, null));
        List<List<String>> valid = new ArrayList<>();
        ValidationReport report = validate(file, br, valid);
        assertThat(valid).containsExactly(List.of("A", "x", "199.9", "1"), List.of("B", "y", "199.90", "2"));
        assertThat(report.firstErrors()).singleElement().extracting(RowIssue::message).asString()
                .startsWith("price: \"1.299\" is ambiguous");
    }

    @Test
    @Tag("slow") // a big sheet
    void aSheetOfManyRowsIsStreamedNotLoaded() throws IOException {
        int rows = 200_000;
        SXSSFWorkbook wb = new SXSSFWorkbook(100);
        Sheet sheet = wb.createSheet("big");
        Row header = sheet.createRow(0);
        String[] names = {"sku", "title", "price", "quantity"};
        for (int i = 0; i < names.length; i++) {
            header.createCell(i).setCellValue(names[i]);
        }
        for (int i = 1; i <= rows; i++) {
            Row row = sheet.createRow(i);
            row.createCell(0).setCellValue("SKU-" + i);
            row.createCell(1).setCellValue("Title number " + i);
            row.createCell(2).setCellValue(i % 1000 + 0.5);
            row.createCell(3).setCellValue(i % 50);
        }
        Path file = dir.resolve("big.xlsx");
        try (OutputStream out = Files.newOutputStream(file)) {
            wb.write(out);
        }
        wb.close();

        long[] seen = {0};
        int[] percentAtFirstRow = {-1};
        try (XlsxRows sheetRows = XlsxRows.open(file, null)) {
            ValidationReport report = new CsvValidator(RULES).validate(sheetRows, (n, values) -> {
                if (seen[0]++ == 0) {
                    percentAtFirstRow[0] = sheetRows.percent();
                }
            }, null, null);
            assertThat(report.totalRows()).isEqualTo(rows);
            assertThat(report.validRows()).isEqualTo(rows);
            assertThat(sheetRows.percent()).isEqualTo(100);
        }
        // the first row was handed on when a sliver of the sheet's XML had been read: rows stream as it is parsed
        assertThat(percentAtFirstRow[0]).isBetween(0, 2);
        assertThat(seen[0]).isEqualTo(rows);
    }

    @Test
    void aZipBombIsRefusedByPoisInflateRatioGuard() throws IOException {
        Path small = write("small.xlsx", workbookWithOneRow());
        Path bomb = dir.resolve("bomb.xlsx");
        // the same workbook with 50 MB of spaces inside its sheet: compresses about 1000:1
        rewriteSheet(small, bomb, xml -> xml.replace("<sheetData>", "<sheetData>" + " ".repeat(50 * 1024 * 1024)));
        assertThat(Files.size(bomb)).isLessThan(200_000);
        assertThat(ZipSecureFile.getMinInflateRatio()).isGreaterThan(0);

        assertThatThrownBy(() -> validate(bomb, RULES, new ArrayList<>())).isInstanceOf(CsvFormatException.class)
                .hasMessageStartingWith("the .xlsx was refused: a part of it expands more than 100 times")
                .hasMessageContaining("export the sheet as CSV");
    }

    @Test
    void anOversizedPartIsRefusedAndPoisEntryCapIsLowered() throws IOException {
        Path file = write("rows.xlsx", workbookWithOneRow());
        assertThat(ZipSecureFile.getMaxEntrySize()).isLessThanOrEqualTo(XlsxRows.MAX_ENTRY_BYTES);
        try (XlsxRows rows = new XlsxRows(file, null, 300, XlsxRows.DEFAULT_MAX_SHARED_STRINGS_BYTES)) {
            assertThatThrownBy(() -> new CsvValidator(RULES).validate(rows, RowSink.NONE, null, null))
                    .isInstanceOf(CsvFormatException.class)
                    .hasMessageContaining("the .xlsx was refused: sheet 'S' is larger than 300 bytes uncompressed");
        }
        assertThatThrownBy(() -> new XlsxRows(file, null, XlsxRows.MAX_ENTRY_BYTES, 10))
                .isInstanceOf(CsvFormatException.class)
                .hasMessageContaining("the shared strings (all distinct texts of the workbook) is larger than 10 bytes");
    }

    @Test
    void aZipThatIsNotAWorkbookIsNotReadableAsOne() throws IOException {
        Path zip = dir.resolve("notes.xlsx");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("notes.txt"));
            out.write("hello".getBytes(StandardCharsets.UTF_8));
        }
        assertThatThrownBy(() -> XlsxRows.open(zip, null)).isInstanceOf(CsvFormatException.class)
                .hasMessageContaining("not a readable .xlsx workbook");
    }

    private static XSSFWorkbook workbookWithOneRow() {
        XSSFWorkbook wb = new XSSFWorkbook();
        Sheet sheet = wb.createSheet("S");
        String[][] data = {{"sku", "title", "price", "quantity"}, {"SKU-1", "a title", "1.50", "2"}};
        for (int i = 0; i < data.length; i++) {
            Row row = sheet.createRow(i);
            for (int c = 0; c < 4; c++) {
                row.createCell(c).setCellValue(data[i][c]);
            }
        }
        return wb;
    }

    /** Copies an .xlsx, changing its first sheet's XML. */
    private static void rewriteSheet(Path from, Path to, java.util.function.UnaryOperator<String> change)
            throws IOException {
        try (ZipFile in = new ZipFile(from.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
            for (ZipEntry entry : java.util.Collections.list(in.entries())) {
                out.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream data = in.getInputStream(entry)) {
                    byte[] bytes = data.readAllBytes();
                    if (entry.getName().equals("xl/worksheets/sheet1.xml")) {
                        bytes = change.apply(new String(bytes, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                    }
                    out.write(bytes);
                }
                out.closeEntry();
            }
        }
    }
}
