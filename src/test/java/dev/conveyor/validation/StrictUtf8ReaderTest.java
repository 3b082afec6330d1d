package dev.conveyor.validation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrictUtf8ReaderTest {

    private static final String TEXT = "ação 📷 €, naïve 😀\n".repeat(50);

    private static String readAll(Reader reader, int chunk) throws IOException {
        StringBuilder out = new StringBuilder();
        char[] buf = new char[chunk];
        for (int n; (n = reader.read(buf, 0, chunk)) >= 0; ) {
            out.append(buf, 0, n);
        }
        return out.toString();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 64, 8192})
    void decodesAcrossBufferBoundariesWithAnyReadSize(int chunk) throws IOException {
        for (int bufferSize : new int[] {16, 17, 19, 4096}) {
            Reader reader = new StrictUtf8Reader(new ByteArrayInputStream(TEXT.getBytes(StandardCharsets.UTF_8)),
                    bufferSize);
            assertThat(readAll(reader, chunk)).as("buffer %d", bufferSize).isEqualTo(TEXT);
        }
    }

    @Test
    void skipsOnlyALeadingBom() throws IOException {
        byte[] bytes = "\uFEFFa\uFEFFb".getBytes(StandardCharsets.UTF_8);
        assertThat(readAll(new StrictUtf8Reader(new ByteArrayInputStream(bytes)), 10)).isEqualTo("a\uFEFFb");
        assertThatThrownBy(() -> readAll(new StrictUtf8Reader(
                new ByteArrayInputStream(new byte[] {(byte) 0xEF, (byte) 0xBB})), 10))
                .isInstanceOf(StrictUtf8Reader.MalformedUtf8Exception.class);   // a truncated BOM is not text
    }

    @Test
    void handsOutGoodTextBeforeFailing() throws IOException {
        byte[] bytes = {'a', 'b', 'c', (byte) 0xFF, 'd'};
        Reader reader = new StrictUtf8Reader(new ByteArrayInputStream(bytes));
        char[] buf = new char[10];
        assertThat(reader.read(buf, 0, 10)).isEqualTo(3);
        assertThat(new String(buf, 0, 3)).isEqualTo("abc");
        assertThatThrownBy(() -> reader.read(buf, 0, 10))
                .isInstanceOf(StrictUtf8Reader.MalformedUtf8Exception.class)
                .hasMessageContaining("byte offset 3");
        assertThatThrownBy(() -> reader.read(buf, 0, 10)).isInstanceOf(StrictUtf8Reader.MalformedUtf8Exception.class);
    }

    @Test
    void rejectsOverlongAndSurrogateEncodings() {
        byte[][] bad = {
                {(byte) 0xC0, (byte) 0xAF},                          // overlong '/'
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},             // UTF-16 surrogate
                {'x', (byte) 0xE2, (byte) 0x82},                     // truncated at end
        };
        for (byte[] bytes : bad) {
            assertThatThrownBy(() -> readAll(new StrictUtf8Reader(new ByteArrayInputStream(bytes)), 10))
                    .isInstanceOf(StrictUtf8Reader.MalformedUtf8Exception.class);
        }
    }
}
