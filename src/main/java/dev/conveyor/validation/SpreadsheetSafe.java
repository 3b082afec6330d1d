package dev.conveyor.validation;

/**
 * Makes a cell of a CSV we write safe to open in a spreadsheet (CSV or "formula" injection): a cell that starts
 * with {@code = + - @}, a tab or a carriage return may be run as a formula by Excel, LibreOffice or Google Sheets
 * (e.g. {@code =cmd|' /C calc'!A0}, {@code =HYPERLINK(...)}), so, as OWASP advises, it gets a leading single quote,
 * which spreadsheets show as text and do not evaluate. The CSV quoting stays the printer's job, applied after this.
 *
 * <p>The one exception is a plain number ({@code [+-]digits[.digits]}, e.g. {@code -1.50}): it cannot hold a
 * formula, and leaving it as is keeps negative prices in an error report readable as numbers. OWASP's advice is to
 * prefix a leading {@code -} anyway; we follow it for every other cell, since text such as {@code -2+3+cmd|...} is a
 * formula. Anyone reading the report as data (not in a spreadsheet) strips one leading {@code '} from a cell
 * whose next character is one of those.
 */
public final class SpreadsheetSafe {

    private SpreadsheetSafe() {
    }

    /** {@code value}, prefixed with {@code '} when a spreadsheet could take it for a formula. */
    public static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        char first = value.charAt(0);
        boolean risky = first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
        if (!risky) {
            return value;
        }
        if ((first == '-' || first == '+') && Numbers.shape(value) != Numbers.NOT_A_NUMBER) {
            return value;
        }
        return "'" + value;
    }
}
