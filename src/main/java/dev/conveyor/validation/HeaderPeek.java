package dev.conveyor.validation;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads a text up to the end of its first non-blank line (the header row), bounded, and gives back that line and a
 * reader that starts over from the beginning: the text read ahead, then the rest. Lines of only whitespace and
 * delimiters are blank, as the validator counts them.
 */
final class HeaderPeek {

    private final String firstLine;
    private final Reader reader;

    private HeaderPeek(String firstLine, Reader reader) {
        this.firstLine = firstLine;
        this.reader = reader;
    }

    String firstLine() {
        return firstLine;
    }

    Reader reader() {
        return reader;
    }

    /** Reads at most {@code maxChars} + 64 Ki characters ahead; a longer header is judged on what was read. */
    static HeaderPeek read(Reader in, int maxChars) throws IOException {
        long limit = (long) maxChars + 64 * 1024;
        StringBuilder ahead = new StringBuilder();
        int lineStart = 0;
        char[] buf = new char[8192];
        String line = null;
        scan:
        while (ahead.length() < limit) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, limit - ahead.length()));
            if (n < 0) {
                break;
            }
            int from = ahead.length();
            ahead.append(buf, 0, n);
            for (int i = from; i < ahead.length(); i++) {
                if (ahead.charAt(i) == '\n') {
                    String candidate = ahead.substring(lineStart, i);
                    lineStart = i + 1;
                    if (!blank(candidate)) {
                        line = candidate;
                        break scan;
                    }
                }
            }
        }
        if (line == null) {
            line = ahead.substring(lineStart);
        }
        return new HeaderPeek(line, new Prefixed(ahead.toString(), in));
    }

    private static boolean blank(String line) {
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (!Character.isWhitespace(ch) && ch != ',' && ch != ';') {
                return false;
            }
        }
        return true;
    }

    /** The text read ahead, then the rest of the underlying reader (not closed here). */
    private static final class Prefixed extends Reader {
        private final String prefix;
        private final Reader rest;
        private int at;

        Prefixed(String prefix, Reader rest) {
            this.prefix = prefix;
            this.rest = rest;
        }

        @Override
        public int read(char[] cbuf, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (at < prefix.length()) {
                int n = Math.min(len, prefix.length() - at);
                prefix.getChars(at, at + n, cbuf, off);
                at += n;
                return n;
            }
            return rest.read(cbuf, off, len);
        }

        @Override
        public void close() {
            // the owner closes the underlying reader
        }
    }
}
