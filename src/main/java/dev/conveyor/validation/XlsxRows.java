package dev.conveyor.validation;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

import org.apache.poi.util.XMLHelper;
import org.apache.poi.openxml4j.exceptions.InvalidFormatException;
import org.apache.poi.openxml4j.exceptions.NotOfficeXmlFileException;
import org.apache.poi.openxml4j.exceptions.OpenXML4JException;
import org.apache.poi.openxml4j.exceptions.OpenXML4JRuntimeException;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.openxml4j.opc.PackageAccess;
import org.apache.poi.openxml4j.opc.PackagePart;
import org.apache.poi.openxml4j.util.ZipSecureFile;
import org.apache.poi.ss.usermodel.DateUtil;
import org.apache.poi.xssf.eventusermodel.ReadOnlySharedStringsTable;
import org.apache.poi.xssf.eventusermodel.XSSFReader;
import org.apache.poi.xssf.model.StylesTable;
import org.apache.poi.xssf.usermodel.XSSFCellStyle;
import org.apache.poi.xssf.usermodel.XSSFRelation;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;

/**
 * One sheet of an {@code .xlsx} workbook, read as rows of text with POI's event API: {@link XSSFReader} hands out
 * the sheet's XML part and a SAX handler of our own turns {@code <row>}/{@code <c>} elements into rows as they
 * stream past, so memory does not grow with the number of rows (unlike {@code XSSFWorkbook}, which builds the whole
 * workbook). What is held: the shared-strings table (every distinct text of the workbook, capped at
 * {@link #DEFAULT_MAX_SHARED_STRINGS_BYTES} of XML), the styles, and one row.
 *
 * <p>Zip-bomb guards: POI's {@link ZipSecureFile} checks stay on (an entry that inflates more than 100 times its
 * compressed size is refused, see {@link ZipSecureFile#getMinInflateRatio()}), its largest entry is lowered to
 * {@link #MAX_ENTRY_BYTES}, and the sheet and shared strings parts are counted as they are read and refused past
 * their caps.
 *
 * <p>Values: text as it is; numbers in plain decimal notation ({@code 10000000}, not {@code 1.0E7}; no grouping, no
 * locale), with at least the decimal places the cell's number format shows ({@code 199.90} for {@code 0.00});
 * dates (cells with a date format) as ISO {@code 2024-05-01}, or {@code 2024-05-01T10:30} with a time; booleans as
 * {@code TRUE}/{@code FALSE}; formulas as their cached result. Not thread-safe.
 */
public final class XlsxRows implements Closeable {

    /** Largest uncompressed part POI will read of any workbook (lowered from its 4 GiB default, never raised). */
    public static final long MAX_ENTRY_BYTES = 1024L * 1024 * 1024;
    /** Largest shared-strings part: it is held in memory whole. */
    public static final long DEFAULT_MAX_SHARED_STRINGS_BYTES = 64L * 1024 * 1024;
    /** Excel's last column, XFD. */
    static final int MAX_COLUMNS = 16_384;

    static {
        if (ZipSecureFile.getMaxEntrySize() > MAX_ENTRY_BYTES) {
            ZipSecureFile.setMaxEntrySize(MAX_ENTRY_BYTES);
        }
    }

    /** Receives each row of the sheet, in order. */
    interface RowHandler {
        /**
         * @param rowNumber the row's 1-based number in the sheet
         * @param cells     its cells by column (A first), missing cells as ""
         * @param overflow  non-null when a cell or the row was over the limits (its cells are then cut)
         */
        void row(long rowNumber, String[] cells, CsvLimitReader.Overflow overflow) throws IOException;
    }

    private final OPCPackage workbook;
    private final ReadOnlySharedStringsTable strings;
    private final StylesTable styles;
    private final InputStream sheet;
    private final String sheetName;
    private final long sheetBytes;
    private final long maxSheetBytes;
    private long sheetRead;

    /** Opens {@code file} and finds its sheet: {@code sheetOrNull} by name (case-insensitive), else the first. */
    public static XlsxRows open(Path file, String sheetOrNull) throws IOException {
        return new XlsxRows(file, sheetOrNull, MAX_ENTRY_BYTES, DEFAULT_MAX_SHARED_STRINGS_BYTES);
    }

    XlsxRows(Path file, String sheetOrNull, long maxSheetBytes, long maxSharedStringsBytes) throws IOException {
        this.maxSheetBytes = maxSheetBytes;
        OPCPackage pkg;
        try {
            pkg = OPCPackage.open(file.toFile(), PackageAccess.READ);
        } catch (InvalidFormatException | NotOfficeXmlFileException | OpenXML4JRuntimeException e) {
            throw new CsvFormatException("not a readable .xlsx workbook (" + detail(e) + "); save it again from "
                    + "Excel as .xlsx, or export the sheet as CSV", e);
        }
        this.workbook = pkg;
        try {
            XSSFReader reader = new XSSFReader(pkg);
            this.strings = sharedStrings(pkg, maxSharedStringsBytes);
            this.styles = reader.getStylesTable();
            XSSFReader.SheetIterator it = (XSSFReader.SheetIterator) reader.getSheetsData();
            List<String> names = new ArrayList<>();
            InputStream found = null;
            String foundName = null;
            long foundSize = -1;
            while (it.hasNext()) {
                InputStream s = it.next();
                String name = it.getSheetName();
                names.add(name);
                if (found == null && (sheetOrNull == null || name.trim().equalsIgnoreCase(sheetOrNull.trim()))) {
                    found = s;
                    foundName = name;
                    PackagePart part = it.getSheetPart();
                    foundSize = part == null ? -1 : part.getSize();
                } else {
                    s.close();
                }
            }
            if (found == null) {
                throw new CsvFormatException(sheetOrNull == null ? "the workbook has no sheet"
                        : "the workbook has no sheet named '" + Finding.cut(sheetOrNull) + "' (the rule set's sheet:);"
                        + " its sheets: " + Finding.cut(String.join(", ", names)));
            }
            this.sheet = new CountingLimit(found, maxSheetBytes, "sheet '" + foundName + "'");
            this.sheetName = foundName;
            this.sheetBytes = foundSize;
        } catch (OpenXML4JException | SAXException | OpenXML4JRuntimeException | IllegalStateException e) {
            closeQuietly();
            throw new CsvFormatException("not a readable .xlsx workbook (" + detail(e) + "); save it again from "
                    + "Excel as .xlsx, or export the sheet as CSV", e);
        } catch (IOException e) {
            closeQuietly();
            throw refused(e);
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    public String sheetName() {
        return sheetName;
    }

    /** How far through the sheet's XML the reading is, 0-100 (0 when its size is unknown). */
    public int percent() {
        return sheetBytes <= 0 ? 0 : (int) Math.min(100, sheetRead * 100 / sheetBytes);
    }

    /**
     * Streams the sheet's rows to {@code handler}.
     *
     * @param maxCellChars   a longer cell is cut and reported as an overflow
     * @param maxRecordChars a row whose cells add up to more is cut and reported as an overflow
     * @param decimalSeparator how numeric cells are written out: {@code '.'}, or {@code ','} for a rule set that
     *                         reads decimal commas (so typed numbers and text cells read the same way)
     * @throws CsvFormatException if the sheet is malformed or a zip-bomb guard refuses it
     */
    void read(RowHandler handler, int maxCellChars, int maxRecordChars, char decimalSeparator) throws IOException {
        SheetHandler sax = new SheetHandler(handler, maxCellChars, maxRecordChars, decimalSeparator);
        try {
            XMLReader parser = XMLHelper.newXMLReader();
            parser.setContentHandler(sax);
            parser.parse(new InputSource(sheet));
        } catch (Abort e) {
            throw e.unwrap();
        } catch (SAXException e) {
            for (Throwable t = e; t != null; t = t.getCause() != null ? t.getCause()
                    : t instanceof SAXException s ? s.getException() : null) {
                if (t instanceof Abort a) {
                    throw a.unwrap();
                }
                if (t instanceof IOException io) {
                    throw refused(io);
                }
                if (t == t.getCause()) {
                    break;
                }
            }
            throw new CsvFormatException("the sheet '" + sheetName + "' is not well-formed XML (" + detail(e)
                    + "); save the workbook again from Excel", e);
        } catch (javax.xml.parsers.ParserConfigurationException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw refused(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (sheet != null) {
                sheet.close();
            }
        } finally {
            workbook.revert();
        }
    }

    private void closeQuietly() {
        workbook.revert();
    }

    private ReadOnlySharedStringsTable sharedStrings(OPCPackage pkg, long maxBytes)
            throws IOException, SAXException {
        List<PackagePart> parts = pkg.getPartsByContentType(XSSFRelation.SHARED_STRINGS.getContentType());
        if (parts.isEmpty()) {
            return null;
        }
        try (InputStream in = new CountingLimit(parts.get(0).getInputStream(), maxBytes,
                "the shared strings (all distinct texts of the workbook)")) {
            return new ReadOnlySharedStringsTable(in);
        }
    }

    /** An I/O failure while reading the workbook: a guard's refusal (zip bomb, size) or a damaged file. */
    private static CsvFormatException refused(IOException e) {
        String m = detail(e);
        if (m.contains("Zip bomb") || m.contains("zip bomb")) {
            return new CsvFormatException("the .xlsx was refused: a part of it expands more than 100 times its "
                    + "compressed size (a zip-bomb guard); export the sheet as CSV instead", e);
        }
        if (m.contains("max entry size") || m.contains("exceeds the limit") || e instanceof TooLarge) {
            return new CsvFormatException("the .xlsx was refused: " + m + "; export the sheet as CSV instead", e);
        }
        return new CsvFormatException("the .xlsx could not be read (" + m + "); save it again from Excel as "
                + ".xlsx, or export the sheet as CSV", e);
    }

    private static String detail(Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        m = m.replaceAll("\\s+", " ").trim();
        return m.length() > 300 ? m.substring(0, 297) + "..." : m;
    }

    /** Counts the bytes read (for {@link #percent()}) and refuses past a cap. */
    private final class CountingLimit extends FilterInputStream {
        private final long max;
        private final String what;
        private long count;
        private final boolean isSheet;

        CountingLimit(InputStream in, long max, String what) {
            super(in);
            this.max = max;
            this.what = what;
            this.isSheet = what.startsWith("sheet");
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        private void add(long n) throws TooLarge {
            count += n;
            if (isSheet) {
                sheetRead = count;
            }
            if (count > max) {
                throw new TooLarge(what + " is larger than " + max + " bytes uncompressed");
            }
        }
    }

    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    /** Carries the handler's own exception through the SAX parser unchanged. */
    private static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abort(Exception cause) {
            super(cause);
        }

        IOException unwrap() {
            if (getCause() instanceof IOException io) {
                return io;
            }
            throw (RuntimeException) getCause();
        }
    }

    /** The sheet's XML, element by element: {@code <row>}, {@code <c r t s>}, {@code <v>}, {@code <is><t>}. */
    private final class SheetHandler extends DefaultHandler {
        private final RowHandler handler;
        private final int maxCellChars;
        private final int maxRecordChars;
        private final char decimalSeparator;
        private final List<String> cells = new ArrayList<>();
        private final StringBuilder value = new StringBuilder();
        private long rowNumber;
        private int nextColumn;
        private int column;
        private String type;
        private String style;
        private boolean inValue;
        private boolean inInline;
        private boolean inPhonetic;
        private boolean cellCut;
        private long rowChars;
        private CsvLimitReader.Overflow overflow;

        SheetHandler(RowHandler handler, int maxCellChars, int maxRecordChars, char decimalSeparator) {
            this.handler = handler;
            this.decimalSeparator = decimalSeparator;
            this.maxCellChars = maxCellChars;
            this.maxRecordChars = maxRecordChars;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes) {
            String name = localName == null || localName.isEmpty() ? qName : localName;
            switch (name) {
                case "row" -> {
                    String r = attributes.getValue("r");
                    rowNumber = r == null ? rowNumber + 1 : parseRowNumber(r);
                    cells.clear();
                    nextColumn = 0;
                    rowChars = 0;
                    overflow = null;
                }
                case "c" -> {
                    String ref = attributes.getValue("r");
                    column = ref == null ? nextColumn : columnOf(ref);
                    type = attributes.getValue("t");
                    style = attributes.getValue("s");
                    value.setLength(0);
                    cellCut = false;
                }
                case "v" -> inValue = true;
                case "is" -> inInline = true;
                case "rPh" -> inPhonetic = true;
                case "t" -> inValue = inInline && !inPhonetic;
                default -> { }
            }
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            if (!inValue) {
                return;
            }
            int room = maxCellChars + 1 - value.length();
            if (length > room) {
                cellCut = true;
                length = Math.max(room, 0);
            }
            value.append(ch, start, length);
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            String name = localName == null || localName.isEmpty() ? qName : localName;
            switch (name) {
                case "v", "t" -> inValue = false;
                case "is" -> inInline = false;
                case "rPh" -> inPhonetic = false;
                case "c" -> endCell();
                case "row" -> endRow();
                default -> { }
            }
        }

        private void endCell() {
            String text = cellText();
            if (cellCut || text.length() > maxCellChars) {
                cellCut = true;
                text = text.substring(0, Math.min(text.length(), maxCellChars));
            }
            while (cells.size() < column) {
                cells.add("");
            }
            if (cells.size() == column) {
                cells.add(text);
            } else {
                cells.set(column, text);
            }
            nextColumn = column + 1;
            rowChars += text.length();
            if (overflow == null) {
                if (cellCut) {
                    overflow = new CsvLimitReader.Overflow(rowNumber, CsvLimitReader.Limit.FIELD, column + 1);
                } else if (rowChars > maxRecordChars) {
                    overflow = new CsvLimitReader.Overflow(rowNumber, CsvLimitReader.Limit.RECORD, column + 1);
                }
            }
            if (overflow != null && overflow.limit == CsvLimitReader.Limit.RECORD) {
                cells.set(column, "");
            }
        }

        private void endRow() {
            try {
                handler.row(rowNumber, cells.toArray(new String[0]), overflow);
            } catch (IOException | RuntimeException e) {
                throw new Abort(e);
            }
        }

        private String cellText() {
            String raw = value.toString();
            if (type == null || type.equals("n")) {
                return number(raw);
            }
            return switch (type) {
                case "s" -> sharedString(raw);
                case "b" -> raw.equals("1") ? "TRUE" : raw.equals("0") ? "FALSE" : raw;
                default -> raw; // inlineStr, str (a formula's text), e (#DIV/0!), d (ISO date)
            };
        }

        private String sharedString(String raw) {
            if (strings == null) {
                throw new CsvFormatException("the sheet '" + sheetName + "' refers to shared strings the workbook "
                        + "does not have (row " + rowNumber + ")");
            }
            try {
                int index = Integer.parseInt(raw.trim());
                if (index < 0 || index >= strings.getCount()) {
                    throw new NumberFormatException();
                }
                return strings.getItemAt(index).getString();
            } catch (NumberFormatException e) {
                throw new CsvFormatException("the sheet '" + sheetName + "' has a bad shared string reference in "
                        + "row " + rowNumber);
            }
        }

        /** Plain decimal text for a numeric cell; ISO for a date-formatted one. */
        private String number(String raw) {
            String n = raw.trim();
            if (n.isEmpty() || n.length() > 400) {
                return n;
            }
            BigDecimal decimal;
            try {
                decimal = new BigDecimal(n);
            } catch (NumberFormatException e) {
                return n;
            }
            if (Math.abs((long) decimal.scale()) > 400) {
                return n;
            }
            XSSFCellStyle cellStyle = cellStyle();
            String format = cellStyle == null ? null : cellStyle.getDataFormatString();
            int formatIndex = cellStyle == null ? 0 : cellStyle.getDataFormat();
            if (format != null && DateUtil.isADateFormat(formatIndex, format)
                    && DateUtil.isValidExcelDate(decimal.doubleValue())) {
                LocalDateTime t = DateUtil.getLocalDateTime(decimal.doubleValue(), false, true);
                return t.toLocalTime().equals(java.time.LocalTime.MIDNIGHT) ? t.toLocalDate().toString()
                        : t.toString();
            }
            BigDecimal plain = decimal.signum() == 0 ? BigDecimal.ZERO : decimal.stripTrailingZeros();
            int places = format == null ? 0 : decimalPlaces(format);
            if (plain.scale() < places) {
                plain = plain.setScale(places);
            } else if (plain.scale() < 0) {
                plain = plain.setScale(0);
            }
            String out = plain.toPlainString();
            return decimalSeparator == ',' ? out.replace('.', ',') : out;
        }

        private XSSFCellStyle cellStyle() {
            if (styles == null || style == null) {
                return null;
            }
            try {
                int index = Integer.parseInt(style.trim());
                return index >= 0 && index < styles.getNumCellStyles() ? styles.getStyleAt(index) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private long parseRowNumber(String r) {
            try {
                long n = Long.parseLong(r.trim());
                if (n < 1) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new CsvFormatException("the sheet '" + sheetName + "' has a bad row number '" + Finding.cut(r)
                        + "'");
            }
        }

        private int columnOf(String ref) {
            int col = 0;
            int i = 0;
            while (i < ref.length() && Character.isLetter(ref.charAt(i))) {
                col = col * 26 + (Character.toUpperCase(ref.charAt(i)) - 'A' + 1);
                if (col > MAX_COLUMNS) {
                    throw new CsvFormatException("the sheet '" + sheetName + "' has a cell beyond Excel's last "
                            + "column XFD (" + Finding.cut(ref) + ")");
                }
                i++;
            }
            if (col == 0) {
                throw new CsvFormatException("the sheet '" + sheetName + "' has a bad cell reference '"
                        + Finding.cut(ref) + "'");
            }
            return col - 1;
        }
    }

    /** The decimal places a number format shows: the 0s after its point ({@code #,##0.00} -> 2). */
    static int decimalPlaces(String format) {
        String section = format.split(";", 2)[0];
        int point = -1;
        boolean quoted = false;
        for (int i = 0; i < section.length(); i++) {
            char ch = section.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == '.' && !quoted) {
                point = i;
                break;
            }
        }
        if (point < 0) {
            return 0;
        }
        int places = 0;
        for (int i = point + 1; i < section.length() && (section.charAt(i) == '0' || section.charAt(i) == '#'); i++) {
            if (section.charAt(i) == '0') {
                places++;
            }
        }
        return Math.min(places, 30);
    }
}
