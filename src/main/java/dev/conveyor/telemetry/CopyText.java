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
        switch (b & 0xff) {
            case '\\' -> escaped((byte) '\\');
            case '\t' -> escaped((byte) 't');
            case '\n' -> escaped((byte) 'n');
            case '\r' -> escaped((byte) 'r');
            default -> raw((byte) b);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                write(c);
            } else {
                bytes[size++] = c;
            }
        }
    }

    /** The rows so far; {@link #length} bytes of it are meant. */
    byte[] buffer() {
        return bytes;
    }

    int length() {
        return size;
    }

    private void escaped(byte letter) {
        raw((byte) '\\');
        raw(letter);
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
