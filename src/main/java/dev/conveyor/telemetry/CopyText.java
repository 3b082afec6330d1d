package dev.conveyor.telemetry;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Rows for PostgreSQL's {@code COPY ... FROM STDIN} in its text format, built in memory: columns separated by a tab,
 * a newline after each row, and inside a value each backslash, tab, newline and carriage return escaped with a
 * backslash, as that format reads them (docs/architecture.md, "Set-based writes"). Values are UTF-8, the connection's
 * client encoding; a byte of a multi-byte character is never one of the four escaped ASCII bytes, so escaping byte by
 * byte is exact. Also the {@link OutputStream} a JSON generator writes a column's value into, escaped as it comes.
 */
final class CopyText extends OutputStream {

    private byte[] bytes = new byte[8192];
    private int size;
    private boolean rowStarted;

    /** A column of the current row: its text, escaped. */
    CopyText column(String value) {
        startColumn();
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        write(utf8, 0, utf8.length);
        return this;
    }

    /** Starts a column whose value is then written to this stream (a JSON generator's output, say). */
    CopyText startColumn() {
        if (rowStarted) {
            raw((byte) '\t');
        }
        rowStarted = true;
        return this;
    }

    /** Ends the current row. */
    void endRow() {
        raw((byte) '\n');
        rowStarted = false;
    }

    @Override
    public void write(int b) {
        byte c = (byte) b;
        if (special(c)) {
            escaped(c);
        } else {
            raw(c);
        }
    }

    /** Copies the runs between special bytes whole, escaping each special byte on its way. */
    @Override
    public void write(byte[] b, int off, int len) {
        int end = off + len;
        int run = off;
        for (int i = off; i < end; i++) {
            if (special(b[i])) {
                copy(b, run, i - run);
                escaped(b[i]);
                run = i + 1;
            }
        }
        copy(b, run, end - run);
    }

    private static boolean special(byte c) {
        // a single comparison for the lower-case letters and braces that most of an event's JSON is made of
        return c <= '\\' && (c == '\\' || c == '\t' || c == '\n' || c == '\r');
    }

    /** The rows so far; {@link #length} bytes of it are meant. */
    byte[] buffer() {
        return bytes;
    }

    int length() {
        return size;
    }

    private void escaped(byte special) {
        ensure(2);
        bytes[size++] = '\\';
        bytes[size++] = switch (special) {
            case '\t' -> (byte) 't';
            case '\n' -> (byte) 'n';
            case '\r' -> (byte) 'r';
            default -> special;
        };
    }

    private void copy(byte[] b, int from, int length) {
        ensure(length);
        System.arraycopy(b, from, bytes, size, length);
        size += length;
    }

    private void raw(byte b) {
        ensure(1);
        bytes[size++] = b;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
