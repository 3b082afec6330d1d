package dev.conveyor.telemetry;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CopyTextTest {

    private static String text(CopyText rows) {
        return new String(Arrays.copyOf(rows.buffer(), rows.length()), StandardCharsets.UTF_8);
    }

    @Test
    void columnsAreSeparatedByTabsAndRowsEndWithANewline() {
        CopyText rows = new CopyText();
        rows.column("a").column("b");
        rows.endRow();
        rows.column("c");
        rows.endRow();

        assertThat(text(rows)).isEqualTo("a\tb\nc\n");
    }

    @Test
    void theFourCharactersCopyReadsSpeciallyAreEscapedInsideAValue() {
        CopyText rows = new CopyText();
        rows.column("back\\slash tab\tnew\nline cr\r end");
        rows.endRow();

        assertThat(text(rows)).isEqualTo("back\\\\slash tab\\tnew\\nline cr\\r end\n");
    }

    @Test
    void multiByteCharactersPassUnchanged() {
        CopyText rows = new CopyText();
        rows.column("ünïcödé 😀 日本");
        rows.endRow();

        assertThat(text(rows)).isEqualTo("ünïcödé 😀 日本\n");
    }

    @Test
    void whatIsWrittenToTheStreamIsTheCurrentColumnsValueEscapedAsItComes() {
        CopyText rows = new CopyText();
        rows.column("id").startColumn();
        rows.write("{\"a\":\"x\\\"y\"}".getBytes(StandardCharsets.UTF_8), 0, 12);
        rows.write('\t');
        rows.endRow();

        assertThat(text(rows)).isEqualTo("id\t{\"a\":\"x\\\\\"y\"}\\t\n");
    }

    @Test
    void theBufferGrowsBeyondItsFirstSize() {
        CopyText rows = new CopyText();
        String big = "x".repeat(20_000) + "\\";
        rows.column(big);
        rows.endRow();

        assertThat(rows.length()).isEqualTo(20_000 + 2 + 1);
        assertThat(text(rows)).endsWith("x\\\\\n");
    }
}
