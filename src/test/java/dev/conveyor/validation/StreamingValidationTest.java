package dev.conveyor.validation;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** 200 000 generated rows, produced on the fly: the file never exists as a String or byte[]. */
@Tag("slow") // 200,000 generated rows
class StreamingValidationTest {

    private static final int ROWS = 200_000;

    /**
     * Generates {@code sku,title,price,quantity} rows one at a time. Every 97th row has a bad price,
     * every 1000th a negative quantity (both on rows that are multiples of 97000), every 250th a title
     * over 60 characters (a warning), and every 5000th is followed by a blank line.
     */
    static final class GeneratedCsv extends InputStream {
        private final int rows;
        private int next;          // 0 = header
        private byte[] current = new byte[0];
        private int pos;
        long bytesServed;

        GeneratedCsv(int rows) {
            this.rows = rows;
        }

        private boolean advance() {
            if (next > rows) {
                return false;
            }
            String line;
            if (next == 0) {
                line = "\uFEFFsku,title,price,quantity\r\n";
            } else {
                int i = next;
                String title = i % 250 == 0 ? "Very long title ".repeat(5) + i : "\"Item " + i + ", blue\"";
                String price = i % 97 == 0 ? "\"12,50\"" : (i % 100) + "." + (i % 10) + "9";
                String quantity = i % 1000 == 0 ? "-" + i : Integer.toString(i % 50);
                String digits = Integer.toString(i);
                line = "SKU-" + "000000".substring(digits.length()) + digits + ',' + title + ',' + price + ','
                        + quantity + "\r\n" + (i % 5000 == 0 ? "\r\n" : "");
            }
            next++;
            current = line.getBytes(StandardCharsets.UTF_8);
            pos = 0;
            return true;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            int n = 0;
            while (n < len) {
                if (pos == current.length && !advance()) {
                    break;
                }
                int chunk = Math.min(len - n, current.length - pos);
                System.arraycopy(current, pos, b, off + n, chunk);
                pos += chunk;
                n += chunk;
            }
            bytesServed += n;
            return n == 0 ? -1 : n;
        }
    }

    /** Counts characters written, keeps nothing. */
    static final class CountingWriter extends Writer {
        long chars;
        long lines;

        @Override
        public void write(char[] cbuf, int off, int len) {
            chars += len;
            for (int i = off; i < off + len; i++) {
                if (cbuf[i] == '\n') {
                    lines++;
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    // a guard against a hang only: how fast validation runs is bench/run's W2, not a test's wall clock, which a
    // second fork of the slow tier on the same two cores would make a coin toss
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void validatesTwoHundredThousandGeneratedRowsWithExactCounts() throws IOException {
        long badPrice = 0;
        long badQuantity = 0;
        long errorRows = 0;
        long warningRows = 0;
        for (int i = 1; i <= ROWS; i++) {
            boolean p = i % 97 == 0;
            boolean q = i % 1000 == 0;
            badPrice += p ? 1 : 0;
            badQuantity += q ? 1 : 0;
            errorRows += p || q ? 1 : 0;
            warningRows += !(p || q) && i % 250 == 0 ? 1 : 0;
        }
        // sanity-check the arithmetic: 2061 bad prices, 200 bad quantities, 2 rows with both
        assertThat(badPrice).isEqualTo(2061);
        assertThat(badQuantity).isEqualTo(200);
        assertThat(errorRows).isEqualTo(2061 + 200 - 2);

        GeneratedCsv csv = new GeneratedCsv(ROWS);
        CountingWriter errorReport = new CountingWriter();
        long[] sink = {0, 0};   // count, sum of row numbers
        long[] progressCalls = {0, 0};
        ValidationReport report = new CsvValidator(Validation.defaultRules()).validate(csv,
                (row, values) -> {
                    sink[0]++;
                    sink[1] += row;
                    assertThat(values).hasSize(4);
                }, errorReport, rows -> {
                    progressCalls[0]++;
                    progressCalls[1] = rows;
                });

        assertThat(report.totalRows()).isEqualTo(ROWS);
        assertThat(report.errorRows()).isEqualTo(errorRows);
        assertThat(report.validRows()).isEqualTo(ROWS - errorRows);
        assertThat(report.warningRows()).isEqualTo(warningRows);
        assertThat(report.errorsByField()).containsExactly(entry("price", badPrice), entry("quantity", badQuantity));
        assertThat(report.warningsByField()).containsExactly(entry("title", warningRows));
        assertThat(report.firstErrors()).hasSize(20);
        assertThat(report.firstErrors().get(0)).isEqualTo(new RowIssue(97, 98, "price", "price: \"12,50\" is not a decimal"));
        assertThat(sink[0]).isEqualTo(ROWS - errorRows);
        assertThat(progressCalls[0]).isEqualTo(ROWS / 10_000);
        assertThat(progressCalls[1]).isEqualTo(ROWS);
        assertThat(errorReport.lines).isEqualTo(errorRows + 1);
        assertThat(csv.bytesServed).isGreaterThan(8_000_000L);   // the whole generated file was read
    }
}
