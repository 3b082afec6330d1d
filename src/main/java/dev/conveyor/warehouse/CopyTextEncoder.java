package dev.conveyor.warehouse;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * Encodes staging rows in PostgreSQL's COPY text format (tab-delimited, {@code \N} for null) straight into a
 * reusable UTF-8 byte buffer, so a load of any size allocates nothing per row.
 *
 * <p>Text format needs only four characters escaped in a value: backslash, newline, carriage return and the tab
 * delimiter. Everything else, including other control characters and all of Unicode, goes through as UTF-8. The
 * one thing PostgreSQL text cannot hold at all is U+0000, and a lone UTF-16 surrogate has no UTF-8 form; both are
 * rejected here with SQLSTATE 22021 rather than sent to fail (or be mangled) on the server.
 */
final class CopyTextEncoder {

    private static final String CHARACTER_NOT_IN_REPERTOIRE = "22021";

    private byte[] buf;
    private int len;
    private final int initialCapacity;

    CopyTextEncoder(int initialCapacity) {
        this.initialCapacity = Math.max(initialCapacity, 64);
        this.buf = new byte[this.initialCapacity];
    }

    byte[] bytes() {
        return buf;
    }

    int length() {
        return len;
    }

    /** Empties the buffer; gives back memory a row with a huge value made it take. */
    void reset() {
        len = 0;
        if (buf.length > 4 * initialCapacity) {
            buf = new byte[initialCapacity];
        }
    }

    /** Remembers where a row starts, so a row that fails half-encoded can be taken back out. */
    int mark() {
        return len;
    }

    void rewind(int mark) {
        len = mark;
    }

    void writeLong(long value) {
        ensure(20);
        if (value < 0) {
            buf[len++] = '-';
            if (value == Long.MIN_VALUE) {
                byte[] digits = Long.toString(value).substring(1).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(digits, 0, buf, len, digits.length);
                len += digits.length;
                return;
            }
            value = -value;
        }
        int start = len;
        do {
            buf[len++] = (byte) ('0' + (value % 10));
            value /= 10;
        } while (value != 0);
        for (int i = start, j = len - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
    }

    void tab() {
        ensure(1);
        buf[len++] = '\t';
    }

    void endRow() {
        ensure(1);
        buf[len++] = '\n';
    }

    void writeNull() {
        ensure(2);
        buf[len++] = '\\';
        buf[len++] = 'N';
    }

    /** Writes {@code value} escaped, or {@code \N} if it is null. {@code field} names it in errors. */
    void writeText(String value, String field) throws SQLException {
        if (value == null) {
            writeNull();
            return;
        }
        int n = value.length();
        // worst case per char: 3 UTF-8 bytes (BMP) — a surrogate pair is 2 chars for 4 bytes, an escape 1 for 2
        ensure(Math.multiplyExact(3, n));
        byte[] b = buf;
        int p = len;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '\\' -> { b[p++] = '\\'; b[p++] = '\\'; }
                    case '\t' -> { b[p++] = '\\'; b[p++] = 't'; }
                    case '\n' -> { b[p++] = '\\'; b[p++] = 'n'; }
                    case '\r' -> { b[p++] = '\\'; b[p++] = 'r'; }
                    case 0 -> throw new SQLException(
                            field + " contains a NUL character, which PostgreSQL text cannot store",
                            CHARACTER_NOT_IN_REPERTOIRE);
                    default -> b[p++] = (byte) c;
                }
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                char low = i + 1 < n ? value.charAt(i + 1) : 0;
                if (!Character.isHighSurrogate(c) || !Character.isLowSurrogate(low)) {
                    throw new SQLException(field + " contains an unpaired UTF-16 surrogate at index " + i,
                            CHARACTER_NOT_IN_REPERTOIRE);
                }
                int cp = Character.toCodePoint(c, low);
                i++;
                b[p++] = (byte) (0xF0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        len = p;
    }

    private void ensure(int extra) {
        if (extra > buf.length - len) {
            int needed = Math.addExact(len, extra);
            buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * buf.length)));
        }
    }
}
