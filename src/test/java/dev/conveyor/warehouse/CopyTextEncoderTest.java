package dev.conveyor.warehouse;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The COPY text encoding on its own: what bytes go on the wire. */
class CopyTextEncoderTest {

    private static String encode(String value) throws SQLException {
        CopyTextEncoder encoder = new CopyTextEncoder(4);   // tiny, so every write has to grow it
        encoder.writeText(value, "v");
        return new String(Arrays.copyOf(encoder.bytes(), encoder.length()), StandardCharsets.UTF_8);
    }

    @Test
    void escapesExactlyTheFourSpecialCharacters() throws SQLException {
        assertThat(encode("a\tb\nc\rd\\e")).isEqualTo("a\\tb\\nc\\rd\\\\e");
        assertThat(encode("\\N")).isEqualTo("\\\\N");
        assertThat(encode("\\.")).isEqualTo("\\\\.");
        assertThat(encode("\"quoted\", 'x', a;b|c\u0007\f")).isEqualTo("\"quoted\", 'x', a;b|c\u0007\f");
        assertThat(encode("")).isEmpty();
    }

    @Test
    void writesUtf8ForEveryPlane() throws SQLException {
        String text = "é ß Ω – € 東京 \uffff 🚀 𝄞";
        CopyTextEncoder encoder = new CopyTextEncoder(1);
        encoder.writeText(text, "v");
        assertThat(Arrays.copyOf(encoder.bytes(), encoder.length())).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void nullIsBackslashN() throws SQLException {
        CopyTextEncoder encoder = new CopyTextEncoder(1);
        encoder.writeText(null, "v");
        encoder.tab();
        encoder.writeLong(0);
        encoder.tab();
        encoder.writeLong(-1234567890123L);
        encoder.tab();
        encoder.writeLong(Long.MIN_VALUE);
        encoder.tab();
        encoder.writeLong(Long.MAX_VALUE);
        encoder.endRow();
        assertThat(new String(encoder.bytes(), 0, encoder.length(), StandardCharsets.UTF_8))
                .isEqualTo("\\N\t0\t-1234567890123\t-9223372036854775808\t9223372036854775807\n");
    }

    @Test
    void refusesWhatPostgresTextCannotHold() {
        assertThatThrownBy(() -> encode("a\u0000b")).isInstanceOf(SQLException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> encode("a\ud83d")).isInstanceOf(SQLException.class).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> encode("\ude80b")).isInstanceOf(SQLException.class).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> encode("\ud83d\ud83d")).isInstanceOf(SQLException.class);
    }

    @Test
    void resetGivesBackMemoryABigRowTook() throws SQLException {
        CopyTextEncoder encoder = new CopyTextEncoder(64);
        encoder.writeText("x".repeat(10_000), "v");
        assertThat(encoder.bytes().length).isGreaterThanOrEqualTo(10_000);
        encoder.reset();
        assertThat(encoder.length()).isZero();
        assertThat(encoder.bytes().length).isEqualTo(64);
    }
}
