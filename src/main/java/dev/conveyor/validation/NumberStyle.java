package dev.conveyor.validation;

/**
 * How decimal and integer values are written in one file: the decimal separator and the thousands separator (if
 * the rule set allows one). {@link #canonical} turns a value into the plain notation the rest of the service uses
 * ({@code 1299.90}: optional sign, digits, optional {@code .} and digits), or refuses it. A value that could mean two
 * numbers is refused, never guessed: with a decimal comma, {@code 1.299} is 1.299 written with a decimal point or
 * 1299 with a thousands separator, and which one the file meant cannot be known from the value.
 * Immutable.
 */
final class NumberStyle {

    /** Decimal point, no grouping: values are taken as they are (the checks in {@link Numbers} decide). */
    static final NumberStyle PLAIN = new NumberStyle('.', FileFormat.NONE, false);

    private final char decimal;
    private final char thousands;
    /** The decimal separator was chosen by the delimiter ({@code decimal-separator: auto}). */
    private final boolean fromDelimiter;

    NumberStyle(char decimal, char thousands, boolean fromDelimiter) {
        this.decimal = decimal;
        this.thousands = thousands;
        this.fromDelimiter = fromDelimiter;
    }

    static NumberStyle of(FileFormat format, char usedDelimiter) {
        char decimal = format.decimalSeparatorFor(usedDelimiter);
        if (decimal == '.' && format.thousandsSeparator() == FileFormat.NONE) {
            return PLAIN;
        }
        return new NumberStyle(decimal, format.thousandsSeparator(), format.decimalSeparator() == FileFormat.AUTO);
    }

    char decimal() {
        return decimal;
    }

    boolean isPlain() {
        return this == PLAIN;
    }

    /**
     * {@code value} in plain notation, or null if it is not a number in this style (then {@link #problem} says
     * why, when there is more to say than "not a number"). The plain style returns the value itself.
     */
    String canonical(String value) {
        if (this == PLAIN) {
            return value;
        }
        int n = value.length();
        int start = n > 0 && (value.charAt(0) == '-' || value.charAt(0) == '+') ? 1 : 0;
        int decimalAt = -1;
        int separators = 0;
        for (int i = start; i < n; i++) {
            char ch = value.charAt(i);
            if (ch == decimal) {
                if (decimalAt >= 0) {
                    return null;
                }
                decimalAt = i;
            } else if (ch == thousands) {
                if (decimalAt >= 0) {
                    return null;
                }
                separators++;
            } else if (ch < '0' || ch > '9') {
                return null;
            }
        }
        int intEnd = decimalAt < 0 ? n : decimalAt;
        if (intEnd == start || decimalAt == n - 1) {
            return null;
        }
        if (separators > 0) {
            if (!grouped(value, start, intEnd) || ambiguous(separators, decimalAt)) {
                return null;
            }
        }
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            char ch = value.charAt(i);
            if (i == decimalAt) {
                out.append('.');
            } else if (ch != thousands) {
                out.append(ch);
            }
        }
        return out.toString();
    }

    /**
     * Why {@link #canonical} refused {@code value}, as the end of a message after the column name, or null when the
     * value is simply not a number. {@code ruleSet} names the rule set for the advice.
     */
    String problem(String value, RuleSet ruleSet) {
        if (this == PLAIN) {
            return plainProblem(value, ruleSet);
        }
        String v = Finding.quote(value);
        String where = " (rule set " + ruleSet.name() + ", " + ruleSet.source() + ")";
        String readAs = decimal == ','
                ? "this file is read with a decimal comma" + (fromDelimiter ? " because it is semicolon-separated" : "")
                : "this file is read with a decimal point";
        char other = decimal == ',' ? '.' : ',';
        int otherCount = count(value, other);
        if (otherCount == 0) {
            return null;
        }
        int start = value.startsWith("-") || value.startsWith("+") ? 1 : 0;
        int decimalAt = value.indexOf(decimal);
        int intEnd = decimalAt < 0 ? value.length() : decimalAt;
        boolean groupedLike = grouped(value, start, intEnd, other);
        if (thousands != other) {
            if (groupedLike && otherCount == 1 && decimalAt < 0) {
                return v + " is ambiguous: " + readAs + ", so it is either " + value.replace(other, '.') + " written "
                        + "with a decimal point or " + value.replace(String.valueOf(other), "") + " written with a "
                        + "thousands separator; write it without the '" + other + "'" + where;
            }
            if (groupedLike) {
                return v + " uses '" + other + "' as a thousands separator, which the rule set does not allow; write "
                        + "it without the '" + other + "', or set thousands-separator: \"" + other + "\"" + where;
            }
            if (otherCount == 1 && decimalAt < 0) {
                return v + " has a decimal " + (other == '.' ? "point" : "comma") + ", but " + readAs + ": write "
                        + value.replace(other, decimal) + where;
            }
            return null;
        }
        // `other` is the thousands separator the rule set allows
        if (groupedLike && otherCount == 1 && decimalAt < 0) {
            return v + " is ambiguous: " + readAs + " and '" + other + "' as a thousands separator, so it is either "
                    + value.replace(String.valueOf(other), "") + " or " + value.replace(other, '.') + " written "
                    + "with a decimal point; write it without the '" + other + "' (or with a decimal part, like "
                    + value + decimal + "00)" + where;
        }
        if (!groupedLike) {
            return v + " has '" + other + "' where thousands groups of 3 digits are expected (" + readAs + ")" + where;
        }
        return null;
    }

    /** Advice for a value refused in the plain style that looks like a decimal comma or a grouped number. */
    private static String plainProblem(String value, RuleSet ruleSet) {
        int start = value.startsWith("-") || value.startsWith("+") ? 1 : 0;
        int commas = count(value, ',');
        if (commas == 0 || start == value.length()) {
            return null;
        }
        String body = value.substring(start);
        if (commas == 1 && body.matches("[0-9]+,[0-9]+")) {
            return Finding.quote(value) + " has a decimal comma, but this file is read with a decimal point: write "
                    + value.replace(',', '.') + ", or set decimal-separator: \",\" in the rule set "
                    + ruleSet.name() + " (" + ruleSet.source() + ")";
        }
        if (body.matches("[0-9]{1,3}(,[0-9]{3})+(\\.[0-9]+)?")) {
            return Finding.quote(value) + " uses ',' as a thousands separator, which the rule set does not allow: "
                    + "write " + value.replace(",", "") + ", or set thousands-separator: \",\" in the rule set "
                    + ruleSet.name() + " (" + ruleSet.source() + ")";
        }
        return null;
    }

    /** A value with one separator and no decimal part: grouping or a decimal of the other convention. */
    private boolean ambiguous(int separators, int decimalAt) {
        return separators == 1 && decimalAt < 0 && (thousands == '.' || thousands == ',');
    }

    private boolean grouped(String value, int start, int end) {
        return grouped(value, start, end, thousands);
    }

    /** {@code value[start,end)} is 1-3 digits then groups of {@code sep} and 3 digits. */
    private static boolean grouped(String value, int start, int end, char sep) {
        int group = 0;
        boolean first = true;
        for (int i = start; i < end; i++) {
            char ch = value.charAt(i);
            if (ch == sep) {
                if (group == 0 || (first && group > 3) || (!first && group != 3)) {
                    return false;
                }
                first = false;
                group = 0;
            } else if (ch >= '0' && ch <= '9') {
                group++;
            } else {
                return false;
            }
        }
        return group > 0 && (first || group == 3);
    }

    private static int count(String value, char ch) {
        int c = 0;
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) == ch) {
                c++;
            }
        }
        return c;
    }
}
