package dev.conveyor.validation;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * How a rule set's files are written: the rule set's top-level {@code delimiter}, {@code encoding},
 * {@code decimal-separator}, {@code thousands-separator} and {@code sheet} keys (see docs/file-formats.md).
 * Immutable.
 *
 * @param delimiter          {@code ','}, {@code ';'} or {@code '\t'}; {@link #AUTO} (the default): the one of these
 *                           that splits the header row into the rule set's columns
 * @param encoding           {@code utf-8} (the default, strict), {@code windows-1252}, {@code iso-8859-1}, or
 *                           {@code auto}: UTF-8 unless the file's first non-ASCII bytes are not UTF-8, then
 *                           Windows-1252. A UTF-8 byte-order mark always means UTF-8 (and is dropped).
 * @param decimalSeparator   {@code '.'} (the default) or {@code ','}; {@link #AUTO}: ',' when the file is
 *                           semicolon-separated, '.' otherwise (what Excel writes in each case)
 * @param thousandsSeparator the grouping character allowed in decimal and integer columns, or {@link #NONE} (the
 *                           default: a grouped value is an error row)
 * @param sheet              the .xlsx sheet to read (by name, case-insensitively); null: the first sheet
 */
public record FileFormat(char delimiter, String encoding, char decimalSeparator, char thousandsSeparator,
                         String sheet) {

    /** Decided per file (delimiter, decimal separator). */
    public static final char AUTO = 0;
    /** No thousands separator allowed. */
    public static final char NONE = 1;

    public static final String UTF_8 = "utf-8";
    public static final String AUTO_ENCODING = "auto";
    public static final String WINDOWS_1252 = "windows-1252";
    private static final Map<String, String> ENCODINGS = Map.of(
            "utf-8", UTF_8, "utf8", UTF_8,
            "windows-1252", WINDOWS_1252, "cp1252", WINDOWS_1252,
            "iso-8859-1", "iso-8859-1", "latin-1", "iso-8859-1", "latin1", "iso-8859-1",
            "iso-8859-15", "iso-8859-15",
            "auto", AUTO_ENCODING);

    public static final FileFormat DEFAULT = new FileFormat(AUTO, UTF_8, '.', NONE, null);

    public FileFormat {
        if (delimiter != AUTO && delimiter != ',' && delimiter != ';' && delimiter != '\t') {
            throw new IllegalArgumentException("delimiter must be \",\", \";\", \"\\t\" (tab) or auto");
        }
        encoding = encodingName(encoding);
        if (decimalSeparator != AUTO && decimalSeparator != '.' && decimalSeparator != ',') {
            throw new IllegalArgumentException("decimal-separator must be \".\", \",\" or auto");
        }
        if (thousandsSeparator != NONE && thousandsSeparator != '.' && thousandsSeparator != ','
                && thousandsSeparator != ' ') {
            throw new IllegalArgumentException("thousands-separator must be \".\", \",\" or \" \" (or none)");
        }
        if (thousandsSeparator != NONE && thousandsSeparator == decimalSeparator) {
            throw new IllegalArgumentException("thousands-separator must differ from decimal-separator");
        }
        if (thousandsSeparator != NONE && decimalSeparator == AUTO) {
            throw new IllegalArgumentException("thousands-separator needs an explicit decimal-separator "
                    + "(\",\" or \".\"), not auto: a grouped value is only unambiguous against a known decimal "
                    + "separator");
        }
        if (sheet != null && sheet.isBlank()) {
            throw new IllegalArgumentException("sheet must not be blank");
        }
    }

    /** The canonical name of a supported encoding; refuses others with the list. */
    static String encodingName(String name) {
        String canonical = name == null ? null : ENCODINGS.get(name.trim().toLowerCase(Locale.ROOT));
        if (canonical == null) {
            throw new IllegalArgumentException("encoding must be one of utf-8, windows-1252, iso-8859-1, "
                    + "iso-8859-15 or auto (was '" + name + "')");
        }
        return canonical;
    }

    /** The charset to read with when the encoding is not {@code auto}. */
    Charset charset() {
        return encoding.equals(AUTO_ENCODING) ? StandardCharsets.UTF_8 : Charset.forName(encoding);
    }

    /** The decimal separator for a file split by {@code usedDelimiter}. */
    char decimalSeparatorFor(char usedDelimiter) {
        if (decimalSeparator != AUTO) {
            return decimalSeparator;
        }
        return usedDelimiter == ';' ? ',' : '.';
    }

    /** How a delimiter is shown in messages and results. */
    static String describe(char delimiter) {
        return switch (delimiter) {
            case ',' -> "comma";
            case ';' -> "semicolon";
            case '\t' -> "tab";
            default -> "'" + delimiter + "'";
        };
    }
}
