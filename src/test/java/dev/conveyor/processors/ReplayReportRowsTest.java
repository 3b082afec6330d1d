package dev.conveyor.processors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A replay's error report, renumbered by the rows of the batch's file (a pure file transformation). */
class ReplayReportRowsTest {

    @TempDir
    Path dir;

    @Test
    void eachRowBecomesTheFileRowItStandsForAndEveryOtherValueIsKept() throws IOException {
        Path report = dir.resolve("job-errors.csv");
        Files.writeString(report, """
                row,sku,title,price,quantity,errors
                1,A-1,"Comma, quote "" and
                newline",abc,1,"price: ""abc"" is not a decimal"
                3,A-3,'=cmd,1.00,-2,quantity: must be >= 0 (was -2)
                """, StandardCharsets.UTF_8);

        ReplayReportRows.renumber(report, List.of(25L, 79L, 102L));

        assertThat(Files.readString(report, StandardCharsets.UTF_8)).isEqualTo("""
                row,sku,title,price,quantity,errors
                25,A-1,"Comma, quote "" and
                newline",abc,1,"price: ""abc"" is not a decimal"
                102,A-3,'=cmd,1.00,-2,quantity: must be >= 0 (was -2)
                """);
        assertThat(dir.resolve("job-errors.csv.renumbered")).doesNotExist();
    }

    @Test
    void aRowTheReplayDidNotHaveIsRefusedAndTheReportLeftAsItWas() throws IOException {
        Path report = dir.resolve("job-errors.csv");
        String written = "row,sku,title,price,quantity,errors\n4,A-4,T,abc,1,bad\n";
        Files.writeString(report, written, StandardCharsets.UTF_8);

        assertThatThrownBy(() -> ReplayReportRows.renumber(report, List.of(25L, 79L, 102L)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("row 4");
        assertThat(Files.readString(report, StandardCharsets.UTF_8)).isEqualTo(written);
        assertThat(dir.resolve("job-errors.csv.renumbered")).doesNotExist();
    }
}
