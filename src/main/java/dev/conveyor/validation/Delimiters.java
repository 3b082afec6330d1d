package dev.conveyor.validation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The delimiter of a CSV file, from its header row only: of comma, semicolon and tab, the one that splits the header
 * into the rule set's columns. Data rows never take part (a title with a comma in it says nothing about the file).
 */
final class Delimiters {

    static final char[] CANDIDATES = {',', ';', '\t'};

    private Delimiters() {
    }

    /**
     * The candidate whose split of {@code headerLine} has every required column of the rule set; if several do,
     * the one that finds most columns, then the first of comma, semicolon, tab. If none does, the one that finds
     * most (the header check then says what is missing); comma when it is a tie.
     */
    static char detect(String headerLine, ColumnRule[] columns) {
        char best = ',';
        int bestMatched = -1;
        boolean bestComplete = false;
        for (char d : CANDIDATES) {
            Set<String> names = names(headerLine, d);
            int matched = 0;
            boolean complete = true;
            for (ColumnRule column : columns) {
                if (names.contains(column.name().toLowerCase(Locale.ROOT))) {
                    matched++;
                } else if (!column.optionalHeader()) {
                    complete = false;
                }
            }
            if ((complete && !bestComplete) || (complete == bestComplete && matched > bestMatched)) {
                best = d;
                bestMatched = matched;
                bestComplete = complete;
            }
        }
        return best;
    }

    /** True if splitting {@code headerLine} with {@code d} finds every required column. */
    static boolean splitsInto(String headerLine, char d, ColumnRule[] columns) {
        Set<String> names = names(headerLine, d);
        for (ColumnRule column : columns) {
            if (!column.optionalHeader() && !names.contains(column.name().toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    /**
     * For a header that lacks columns: what to do when another delimiter would have split it right, or what
     * detection tried. {@code used} is {@link FileFormat#AUTO} when the delimiter was detected. Null if nothing
     * useful can be said.
     */
    static String otherDelimiterHint(String headerLine, char used, ColumnRule[] columns, RuleSet ruleSet) {
        for (char d : CANDIDATES) {
            if (d != used && splitsInto(headerLine, d, columns)) {
                return "this looks like a " + FileFormat.describe(d) + "-separated file, but the rule set "
                        + ruleSet.name() + " (" + ruleSet.source() + ") sets delimiter: " + show(used)
                        + "; set delimiter: " + show(d) + " there, or remove the delimiter key so it is detected "
                        + "from the header row";
            }
        }
        if (used == FileFormat.AUTO) {
            return "the delimiter is detected from the header row, and none of comma, semicolon or tab splits it "
                    + "into the expected columns: check the header's names and separators";
        }
        return null;
    }

    private static String show(char d) {
        return d == '\t' ? "\"\\t\" (tab)" : "\"" + d + "\"";
    }

    /** The header's names split at {@code d} outside quotes, unquoted, trimmed and lower-cased. */
    static Set<String> names(String line, char d) {
        Set<String> out = new HashSet<>();
        for (String field : split(line, d)) {
            out.add(field.trim().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    static List<String> split(String line, char d) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (ch == d && !quoted) {
                fields.add(field.toString());
                field.setLength(0);
            } else if (ch != '\r' && ch != '\n') {
                field.append(ch);
            }
        }
        fields.add(field.toString());
        return fields;
    }
}
