package dev.conveyor.validation;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Decodes UTF-8 strictly (malformed input is an error, never a replacement character) and drops a leading
 * BOM. Also reads a single-byte encoding ({@code windows-1252}, {@code iso-8859-1}) the same strict way, and
 * {@code auto}: UTF-8 unless the first non-ASCII bytes are not a UTF-8 sequence, then Windows-1252 (the decision
 * is made once, at the first non-ASCII byte; ASCII reads the same either way). A UTF-8 BOM means UTF-8 whatever
 * the encoding asked for. Unlike {@link java.io.InputStreamReader}, it first hands out every character decoded before an
 * invalid byte sequence and only then fails, so the reader's consumer knows how far the good text went.
 * Does not close the underlying stream. Not thread-safe.
 */
final class StrictUtf8Reader extends Reader {

    /** Thrown for the first invalid byte sequence; carries its byte offset in the stream (BOM included). */
    static final class MalformedUtf8Exception extends CharacterCodingException {
        private static final long serialVersionUID = 1L;
        private final long byteOffset;
        private final String encoding;
        private final int badByte;

        MalformedUtf8Exception(long byteOffset) {
            this(byteOffset, FileFormat.UTF_8, -1);
        }

        MalformedUtf8Exception(long byteOffset, String encoding, int badByte) {
            this.byteOffset = byteOffset;
            this.encoding = encoding;
            this.badByte = badByte;
        }

        long byteOffset() {
            return byteOffset;
        }

        /** The encoding the text was being read in. */
        String encoding() {
            return encoding;
        }

        /** The first byte that could not be decoded (0-255), or -1 if unknown. */
        int badByte() {
            return badByte;
        }

        /** True if the bad byte is a letter or sign in Windows-1252: the file is likely a Latin-1 export. */
        boolean looksLikeWindows1252() {
            if (!encoding.equals(FileFormat.UTF_8) || badByte < 0x80) {
                return false;
            }
            // the five bytes Windows-1252 leaves undefined
            return badByte != 0x81 && badByte != 0x8D && badByte != 0x8F && badByte != 0x90 && badByte != 0x9D;
        }

        @Override
        public String getMessage() {
            return "invalid " + (encoding.equals(FileFormat.UTF_8) ? "UTF-8" : encoding) + " byte sequence at byte "
                    + "offset " + byteOffset;
        }
    }

    private final InputStream in;
    private CharsetDecoder decoder;
    /** Canonical name of the encoding in use ({@link FileFormat#encoding()} names). */
    private String encoding;
    /** {@code auto} before its first non-ASCII byte. */
    private boolean undecided;
    private final ByteBuffer bytes;
    private final CharBuffer spill = CharBuffer.allocate(2);
    /** Stream offset of {@code bytes.array()[0]}. */
    private long bufferOffset;
    private boolean eof;
    private boolean started;
    private boolean flushed;
    private MalformedUtf8Exception failure;

    StrictUtf8Reader(InputStream in) {
        this(in, 64 * 1024);
    }

    StrictUtf8Reader(InputStream in, int bufferSize) {
        this(in, bufferSize, FileFormat.UTF_8);
    }

    /** @param encoding a {@link FileFormat#encoding()} name: utf-8, auto, windows-1252, iso-8859-1, ... */
    StrictUtf8Reader(InputStream in, int bufferSize, String encoding) {
        this.in = Objects.requireNonNull(in, "in");
        String name = FileFormat.encodingName(encoding);
        this.undecided = name.equals(FileFormat.AUTO_ENCODING);
        use(undecided ? FileFormat.UTF_8 : name);
        this.bytes = ByteBuffer.allocate(Math.max(bufferSize, 16));
        this.bytes.flip();
        this.spill.flip();
    }

    /** The encoding being read (for {@code auto}: decided at the first non-ASCII byte; utf-8 until then). */
    String encoding() {
        return encoding;
    }

    /** True while {@code auto} has seen only ASCII: the text reads the same in UTF-8 and Windows-1252. */
    boolean undecided() {
        return undecided;
    }

    private void use(String name) {
        encoding = name;
        decoder = (name.equals(FileFormat.UTF_8) ? StandardCharsets.UTF_8 : Charset.forName(name)).newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private MalformedUtf8Exception malformed() {
        int bad = bytes.hasRemaining() ? bytes.get(bytes.position()) & 0xFF : -1;
        return new MalformedUtf8Exception(bufferOffset + bytes.position(), encoding, bad);
    }

    /** {@code auto}: ASCII straight through; at the first non-ASCII byte, decide the encoding. */
    private int readUndecided(char[] cbuf, int off, int len) throws IOException {
        int produced = 0;
        while (undecided && produced < len) {
            if (!bytes.hasRemaining()) {
                if (eof) {
                    break;
                }
                fill();
                continue;
            }
            byte b = bytes.get(bytes.position());
            if (b >= 0) {
                cbuf[off + produced++] = (char) b;
                bytes.position(bytes.position() + 1);
                continue;
            }
            while (bytes.remaining() < 4 && !eof) {
                fill();
            }
            undecided = false;
            use(utf8SequenceAhead() ? FileFormat.UTF_8 : FileFormat.WINDOWS_1252);
        }
        return produced;
    }

    /** The bytes at the position start a well-formed UTF-8 multi-byte sequence. */
    private boolean utf8SequenceAhead() {
        int p = bytes.position();
        int lead = bytes.get(p) & 0xFF;
        int continuation = lead >= 0xC2 && lead <= 0xDF ? 1 : lead >= 0xE0 && lead <= 0xEF ? 2
                : lead >= 0xF0 && lead <= 0xF4 ? 3 : -1;
        if (continuation < 0 || bytes.remaining() < 1 + continuation) {
            return false;
        }
        for (int i = 1; i <= continuation; i++) {
            int b = bytes.get(p + i) & 0xFF;
            if (b < 0x80 || b > 0xBF) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, cbuf.length);
        if (len == 0) {
            return 0;
        }
        if (spill.hasRemaining()) {
            cbuf[off] = spill.get();
            return 1;
        }
        if (failure != null) {
            throw failure;
        }
        if (flushed) {
            return -1;
        }
        if (!started) {
            started = true;
            skipBom();
        }
        if (undecided) {
            int produced = readUndecided(cbuf, off, len);
            if (produced > 0) {
                return produced;
            }
            if (undecided) {
                flushed = true;
                return -1;
            }
        }
        CharBuffer out = CharBuffer.wrap(cbuf, off, len);
        while (true) {
            CoderResult result = decoder.decode(bytes, out, eof);
            int produced = out.position() - off;
            if (result.isError()) {
                failure = malformed();
                if (produced > 0) {
                    return produced;
                }
                throw failure;
            }
            if (produced > 0) {
                return produced;
            }
            if (result.isOverflow()) {
                // len == 1 and the next code point needs a surrogate pair: decode it aside.
                spill.clear();
                CoderResult r = decoder.decode(bytes, spill, eof);
                spill.flip();
                if (r.isError() && !spill.hasRemaining()) {
                    failure = malformed();
                    throw failure;
                }
                if (spill.hasRemaining()) {
                    cbuf[off] = spill.get();
                    return 1;
                }
                continue;
            }
            if (eof) {
                if (!flushed) {
                    flushed = true;
                    decoder.flush(out);
                    if (out.position() > off) {
                        return out.position() - off;
                    }
                }
                return -1;
            }
            fill();
        }
    }

    private void skipBom() throws IOException {
        while (bytes.remaining() < 3 && !eof) {
            fill();
        }
        if (bytes.remaining() >= 3 && (bytes.get(bytes.position()) & 0xFF) == 0xEF
                && (bytes.get(bytes.position() + 1) & 0xFF) == 0xBB
                && (bytes.get(bytes.position() + 2) & 0xFF) == 0xBF) {
            bytes.position(bytes.position() + 3);
            // a UTF-8 byte-order mark: the file is UTF-8, whatever the rule set expected
            undecided = false;
            use(FileFormat.UTF_8);
        }
    }

    private void fill() throws IOException {
        bufferOffset += bytes.position();
        bytes.compact();
        int n = in.read(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        if (n < 0) {
            eof = true;
        } else {
            bytes.position(bytes.position() + n);
        }
        bytes.flip();
    }

    /** Does not close the underlying stream: its owner does. */
    @Override
    public void close() {
        // nothing to release
    }
}
