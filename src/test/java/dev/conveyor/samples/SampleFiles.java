package dev.conveyor.samples;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

/**
 * Builds the twins of {@code samples/listings.csv} that the README uses: {@code listings-excel-br.csv} (what Excel
 * on Brazilian Windows saves: semicolons, decimal commas, Windows-1252, CRLF) and {@code listings.xlsx} (prices as
 * numbers formatted {@code #,##0.00}, quantities as whole numbers). {@link SampleFilesTest} checks the committed
 * files against it; {@code -Dsamples.write=true} rewrites them.
 */
public final class SampleFiles {

    public static final Path DIR = Path.of("samples");
    public static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private SampleFiles() {
    }

    /** The rows of listings.csv, header first. */
    public static List<List<String>> rows(Path csv) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(csv, StandardCharsets.UTF_8, CSVFormat.RFC4180)) {
            for (CSVRecord record : parser) {
                rows.add(List.of(record.values()));
            }
        }
        return rows;
    }

    /** The Excel (pt-BR) CSV export of {@code rows}: ';', decimal comma in price, CRLF, as Windows-1252 bytes. */
    public static byte[] excelBrazil(List<List<String>> rows) {
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = new ArrayList<>(rows.get(r));
            if (r > 0) {
                row.set(2, row.get(2).replace('.', ','));
            }
            out.append(String.join(";", row)).append("\r\n");
        }
        return out.toString().getBytes(WINDOWS_1252);
    }

    /** The .xlsx of {@code rows}: sku and title as text, price and quantity as numbers. */
    public static void writeXlsx(List<List<String>> rows, OutputStream out) throws IOException {
        try (XSSFWorkbook workbook = new XSSFWorkbook()) {
            Sheet sheet = workbook.createSheet("Anúncios");
            CellStyle money = workbook.createCellStyle();
            money.setDataFormat(workbook.createDataFormat().getFormat("#,##0.00"));
            for (int r = 0; r < rows.size(); r++) {
                Row row = sheet.createRow(r);
                List<String> values = rows.get(r);
                for (int c = 0; c < values.size(); c++) {
                    Cell cell = row.createCell(c);
                    if (r > 0 && c == 2) {
                        cell.setCellValue(Double.parseDouble(values.get(c)));
                        cell.setCellStyle(money);
                    } else if (r > 0 && c == 3) {
                        cell.setCellValue(Long.parseLong(values.get(c)));
                    } else {
                        cell.setCellValue(values.get(c));
                    }
                }
            }
            workbook.write(out);
        }
    }

    /** Rewrites the twins from listings.csv. */
    public static void writeAll(Path dir) throws IOException {
        List<List<String>> rows = rows(dir.resolve("listings.csv"));
        Files.write(dir.resolve("listings-excel-br.csv"), excelBrazil(rows));
        try (OutputStream out = Files.newOutputStream(dir.resolve("listings.xlsx"))) {
            writeXlsx(rows, out);
        }
    }
}
