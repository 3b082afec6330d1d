package dev.conveyor.validation;

import java.math.BigDecimal;
import java.util.List;

/** What a column check found; {@link #message} renders it for people. */
enum Finding {
    OK,
    REQUIRED,
    NOT_DECIMAL,
    NOT_INTEGER,
    NOT_WHOLE,
    TOO_MANY_DIGITS,
    /** A number the file's style refuses with its own explanation (NumberStyle#problem). */
    NUMBER_FORMAT,
    BELOW_MIN,
    NOT_ABOVE_MIN,
    ABOVE_MAX,
    NOT_BELOW_MAX,
    TOO_LONG,
    NOT_ALLOWED,
    NO_MATCH,
    WARN_TOO_LONG,
    WARN_NO_MATCH;

    /** Longest value quoted in a message before it is cut with "...". */
    static final int MAX_QUOTED = 50;

    /** The message of {@link #TOO_MANY_DIGITS}, which needs the limit. */
    String message(ColumnRule rule, String value, int maxDigits) {
        if (this != TOO_MANY_DIGITS) {
            return message(rule, value);
        }
        return rule.name() + ": not a number of at most " + maxDigits + " digits (" + value.length()
                + " characters, conveyor.validation.max-number-digits)";
    }

    String message(ColumnRule rule, String value) {
        String field = rule.name() + ": ";
        return switch (this) {
            case OK -> throw new IllegalStateException("no message for OK");
            case TOO_MANY_DIGITS -> field + "not a number of at most the allowed digits (" + value.length()
                    + " characters)";
            case NUMBER_FORMAT -> field + quote(value) + " is not a number in this file's format";
            case REQUIRED -> field + "is required";
            case NOT_DECIMAL -> field + quote(value) + " is not a decimal";
            case NOT_INTEGER -> field + quote(value) + " is not an integer";
            case NOT_WHOLE -> field + "must be an integer (was " + quote(value) + ")";
            case BELOW_MIN -> field + "must be >= " + plain(rule.min()) + " (was " + cut(value) + ")";
            case NOT_ABOVE_MIN -> field + "must be > " + plain(rule.minExclusive()) + " (was " + cut(value) + ")";
            case ABOVE_MAX -> field + "must be <= " + plain(rule.max()) + " (was " + cut(value) + ")";
            case NOT_BELOW_MAX -> field + "must be < " + plain(rule.maxExclusive()) + " (was " + cut(value) + ")";
            case TOO_LONG -> field + "longer than " + rule.maxLength() + " characters (" + codePoints(value) + ")";
            case WARN_TOO_LONG -> field + "longer than " + rule.warnMaxLength() + " characters ("
                    + codePoints(value) + ")";
            case NOT_ALLOWED -> field + quote(value) + " is not one of " + list(rule.values());
            case NO_MATCH -> field + quote(value) + mismatch(rule.patternDescription(), rule.pattern().pattern());
            case WARN_NO_MATCH -> field + quote(value)
                    + mismatch(rule.warnPatternDescription(), rule.warnPattern().pattern());
        };
    }

    private static String mismatch(String description, String regex) {
        return description != null
                ? " does not match the expected format (" + description + ")"
                : " does not match the pattern " + regex;
    }

    static int codePoints(String value) {
        return value.codePointCount(0, value.length());
    }

    private static String plain(BigDecimal value) {
        return value.toPlainString();
    }

    private static String list(List<String> values) {
        int shown = Math.min(values.size(), 10);
        String joined = String.join(", ", values.subList(0, shown));
        return values.size() > shown ? joined + ", ... (" + values.size() + " values)" : joined;
    }

    /** The value in double quotes, cut to {@link #MAX_QUOTED} characters, line breaks and tabs escaped. */
    static String quote(String value) {
        return '"' + cut(value) + '"';
    }

    static String cut(String value) {
        String v = value;
        if (value.length() > MAX_QUOTED) {
            int end = MAX_QUOTED - 3;
            if (Character.isHighSurrogate(value.charAt(end - 1))) {
                end--;
            }
            v = value.substring(0, end) + "...";
        }
        if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 || v.indexOf('\t') >= 0) {
            v = v.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
        }
        return v;
    }
}
