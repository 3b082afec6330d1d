package dev.conveyor.validation;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** What intake takes a file for, from its first bytes and (for a zip) its entry names. */
class FileKindTest {

    @TempDir
    Path dir;

    private FileKind kindOf(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return FileKind.of(file);
    }

    @Test
    void textWorkbooksAndTheRest() throws IOException {
        assertThat(kindOf("a.csv", "sku,title\n".getBytes(StandardCharsets.UTF_8))).isEqualTo(FileKind.TEXT);
        assertThat(kindOf("b.csv", "sku;t\u00edtulo\n".getBytes(StandardCharsets.ISO_8859_1))).isEqualTo(FileKind.TEXT);
        assertThat(kindOf("c.pdf", "%PDF-1.7\n%\u00e2\u00e3".getBytes(StandardCharsets.ISO_8859_1)))
                .isEqualTo(FileKind.PDF);
        assertThat(kindOf("d.xls", new byte[] {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1,
                0x1A, (byte) 0xE1, 0, 0})).isEqualTo(FileKind.OLE2);
        assertThat(kindOf("e.csv", "\uFEFFsku".getBytes(StandardCharsets.UTF_16LE))).isEqualTo(FileKind.UTF16);
        assertThat(kindOf("f.csv", new byte[] {'a', 0, 'b'})).isEqualTo(FileKind.BINARY);

        Path xlsx = dir.resolve("g.xlsx");
        try (XSSFWorkbook wb = new XSSFWorkbook(); OutputStream out = Files.newOutputStream(xlsx)) {
            wb.createSheet("S");
            wb.write(out);
        }
        assertThat(FileKind.of(xlsx)).isEqualTo(FileKind.XLSX);

        Path zip = dir.resolve("h.csv");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("listings.csv"));
            out.write("sku\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(FileKind.of(zip)).isEqualTo(FileKind.ZIP);
        assertThat(kindOf("i.zip", new byte[] {'P', 'K', 3, 4, 1, 2, 3})).isEqualTo(FileKind.ZIP);

        for (FileKind refused : new FileKind[] {FileKind.ZIP, FileKind.PDF, FileKind.OLE2, FileKind.XLSB}) {
            assertThat(refused.refusedAtIntake()).isTrue();
            assertThat(refused.refusal()).containsAnyOf("send ", "save it").doesNotContain("UTF-8 text (");
        }
        assertThat(FileKind.TEXT.refusal()).isNull();
        assertThat(FileKind.XLSX.refusedAtIntake()).isFalse();
    }
}
