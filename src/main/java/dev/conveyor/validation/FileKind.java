package dev.conveyor.validation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * What a file dropped or uploaded for validation is, from its first bytes (and, for a zip, its list of entries —
 * never its contents): CSV text, an .xlsx workbook, or something to refuse at intake with what to send instead.
 */
public enum FileKind {
    /** Text: validated as CSV (its encoding is the rule set's business). */
    TEXT(null),
    /** An Office Open XML workbook ({@code [Content_Types].xml} and {@code xl/workbook.xml}). */
    XLSX(null),
    ZIP("this is a zip archive, not an .xlsx workbook or a CSV file; send one CSV file (text/csv) or one .xlsx "
            + "workbook, not an archive"),
    XLSB("this is an Excel binary workbook (.xlsb); save it in Excel as .xlsx (Excel Workbook) or as CSV UTF-8"),
    PDF("this is a PDF document, not a spreadsheet; send the listings as a CSV file (text/csv) or an .xlsx "
            + "workbook"),
    OLE2("this is an old Excel .xls workbook or a password-protected .xlsx; save it in Excel as .xlsx (Excel "
            + "Workbook) without a password, or as CSV UTF-8"),
    UTF16("this is UTF-16 text (Excel's \"Unicode Text\"); save it as CSV UTF-8 (or CSV in Windows-1252 with "
            + "encoding: windows-1252 in the rule set)"),
    BINARY("this is a binary file (it contains NUL bytes), not CSV text; send a CSV file (text/csv) or an .xlsx "
            + "workbook");

    /** Bytes looked at for text/binary: the same head the inbox reads. */
    static final int HEAD_BYTES = 64 * 1024;

    private final String refusal;

    FileKind(String refusal) {
        this.refusal = refusal;
    }

    /** Why a file of this kind cannot be validated and what to send instead; null for TEXT and XLSX. */
    public String refusal() {
        return refusal;
    }

    /**
     * True for a file recognised as another format (a zip that is not an .xlsx, .xlsb, PDF, .xls): an upload of one
     * is refused before it is stored. Unrecognised binary and UTF-16 text are left to the job, whose message says
     * the text is not UTF-8 and what to do.
     */
    public boolean refusedAtIntake() {
        return this == ZIP || this == XLSB || this == PDF || this == OLE2;
    }

    /** The kind of {@code file}, never following a link. */
    public static FileKind of(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            head = in.readNBytes(HEAD_BYTES);
        }
        FileKind kind = ofHead(head);
        if (kind != ZIP) {
            return kind;
        }
        return zipKind(file);
    }

    /** The kind from the head alone; {@link #ZIP} for any zip (see {@link #of(Path)} for telling an .xlsx). */
    public static FileKind ofHead(byte[] head) {
        if (startsWith(head, 'P', 'K', 3, 4) || startsWith(head, 'P', 'K', 5, 6)) {
            return ZIP;
        }
        if (startsWith(head, '%', 'P', 'D', 'F')) {
            return PDF;
        }
        if (startsWith(head, 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1)) {
            return OLE2;
        }
        if (startsWith(head, 0xFF, 0xFE) || startsWith(head, 0xFE, 0xFF)) {
            return UTF16;
        }
        for (byte b : head) {
            if (b == 0) {
                return BINARY;
            }
        }
        return TEXT;
    }

    private static FileKind zipKind(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            boolean types = false;
            boolean workbook = false;
            boolean binaryWorkbook = false;
            var entries = zip.entries();
            int seen = 0;
            while (entries.hasMoreElements() && seen++ < 10_000) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                types |= name.equals("[Content_Types].xml");
                workbook |= name.equals("xl/workbook.xml");
                binaryWorkbook |= name.equals("xl/workbook.bin");
            }
            if (types && workbook) {
                return XLSX;
            }
            return types && binaryWorkbook ? XLSB : ZIP;
        } catch (ZipException e) {
            return ZIP;
        } catch (IOException e) {
            return ZIP;
        }
    }

    private static boolean startsWith(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
