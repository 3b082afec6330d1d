package dev.conveyor.validation;

import java.math.BigDecimal;

/**
 * Fast checks for plain decimal notation, without regex: {@code [+-]? digits ( '.' digits )?}.
 * Accepted: {@code 12.50}, {@code 0.01}, {@code -1}, {@code +3}, {@code 007}. Rejected: {@code 1e3},
 * {@code .5}, {@code 12.}, {@code 1,000}, {@code 12,5}, {@code NaN}, spaces inside.
 */
final class Numbers {

    static final int NOT_A_NUMBER = 0;
    static final int WHOLE = 1;
    static final int FRACTION = 2;

    /** Digits that always fit in a long. */
    private static final int LONG_SAFE_DIGITS = 18;

    private Numbers() {
    }

    /** {@link #NOT_A_NUMBER}, {@link #WHOLE} (no fraction part) or {@link #FRACTION}. */
    static int shape(String s) {
        int n = s.length();
        int i = 0;
        if (n > 0 && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            i = 1;
        }
        int start = i;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
        }
        if (i == start) {
            return NOT_A_NUMBER;
        }
        if (i == n) {
            return WHOLE;
        }
        if (s.charAt(i) != '.') {
            return NOT_A_NUMBER;
        }
        int fractionStart = ++i;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
        }
        return i == n && i > fractionStart ? FRACTION : NOT_A_NUMBER;
    }

    /** The value of a string {@link #shape} accepted; without parsing text when it has at most 18 digits. */
    static BigDecimal toBigDecimal(String s) {
        int n = s.length();
        int i = 0;
        boolean negative = false;
        char first = s.charAt(0);
        if (first == '-' || first == '+') {
            negative = first == '-';
            i = 1;
        }
        long unscaled = 0;
        int digits = 0;
        int scale = 0;
        boolean fraction = false;
        for (; i < n; i++) {
            char ch = s.charAt(i);
            if (ch == '.') {
                fraction = true;
                continue;
            }
            if (++digits > LONG_SAFE_DIGITS) {
                return new BigDecimal(s);
            }
            unscaled = unscaled * 10 + (ch - '0');
            if (fraction) {
                scale++;
            }
        }
        return BigDecimal.valueOf(negative ? -unscaled : unscaled, scale);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
