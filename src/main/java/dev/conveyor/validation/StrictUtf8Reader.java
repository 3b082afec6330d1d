package dev.conveyor.validation;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Decodes UTF-8 strictly (malformed input is an error, never a replacement character) and drops a leading
 * BOM. Unlike {@link java.io.InputStreamReader}, it first hands out every character decoded before an
 * invalid byte sequence and only then fails, so the reader's consumer knows how far the good text went.
 * Does not close the underlying stream. Not thread-safe.
 */
final class StrictUtf8Reader extends Reader {

    /** Thrown for the first invalid byte sequence; carries its byte offset in the stream (BOM included). */
    static final class MalformedUtf8Exception extends CharacterCodingException {
        private static final long serialVersionUID = 1L;
        private final long byteOffset;

        MalformedUtf8Exception(long byteOffset) {
            this.byteOffset = byteOffset;
        }

        long byteOffset() {
            return byteOffset;
        }

        @Override
        public String getMessage() {
            return "invalid UTF-8 byte sequence at byte offset " + byteOffset;
        }
    }

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
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
        this.in = Objects.requireNonNull(in, "in");
        this.bytes = ByteBuffer.allocate(Math.max(bufferSize, 16));
        this.bytes.flip();
        this.spill.flip();
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
        CharBuffer out = CharBuffer.wrap(cbuf, off, len);
        while (true) {
            CoderResult result = decoder.decode(bytes, out, eof);
            int produced = out.position() - off;
            if (result.isError()) {
                failure = new MalformedUtf8Exception(bufferOffset + bytes.position());
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
                    failure = new MalformedUtf8Exception(bufferOffset + bytes.position());
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
