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

    /**
     * True if {@code s} has more than {@code maxDigits} digits, decided without reading more than
     * {@code maxDigits + 2} characters: a longer string is refused on its length alone (a sign and a point are the
     * only non-digits a number may have), so a 600k-character value costs nothing.
     */
    static boolean tooManyDigits(String s, int maxDigits) {
        int n = s.length();
        if (n > maxDigits + 2) {
            return true;
        }
        int digits = 0;
        for (int i = 0; i < n; i++) {
            if (isDigit(s.charAt(i))) {
                digits++;
            }
        }
        return digits > maxDigits;
    }

    /**
     * The value of a string {@link #shape} accepted; without parsing text when it has at most 18 digits. Callers
     * check {@link #tooManyDigits} first; longer text than any allowed cap is refused here too, so a value that
     * slipped past can never cost quadratic time in BigDecimal's parser.
     */
    static BigDecimal toBigDecimal(String s) {
        int n = s.length();
        if (n > ValidationOptions.MAX_NUMBER_DIGITS_CEILING + 2) {
            throw new IllegalArgumentException("number of " + n + " characters: over any digit limit");
        }
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
