package dev.conveyor.validation;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limit reader against commons-csv on random files: every record within the limits comes out of the parser
 * exactly as written, every record over one is reported cut, whatever the read sizes and wherever quotes, escaped
 * quotes, commas and line breaks fall.
 */
class CsvLimitReaderTest {

    private static final int MAX_FIELD = 8;
    private static final int MAX_RECORD = 30;
    private static final CSVFormat CSV = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).get();

    @Test
    void recordsWithinTheLimitsPassUnchangedAndRecordsOverThemAreReportedCut() throws IOException {
        Random random = new Random(20261130);
        int cutRecords = 0;
        int keptRecords = 0;
        for (int file = 0; file < 300; file++) {
            StringBuilder text = new StringBuilder();
            List<List<String>> records = new ArrayList<>();
            List<Boolean> over = new ArrayList<>();
            int count = 1 + random.nextInt(12);
            for (int r = 0; r < count; r++) {
                List<String> values = new ArrayList<>();
                int fields = 1 + random.nextInt(5);
                int rawLength = fields - 1;
                boolean tooLong = false;
                for (int f = 0; f < fields; f++) {
                    String value;
                    String raw;
                    if (random.nextBoolean()) {
                        value = randomText(random, "ab c", 12);
                        raw = value;
                    } else {
                        value = randomText(random, "ab,\"\r\n", 12);
                        raw = '"' + value.replace("\"", "\"\"") + '"';
                    }
                    if (f > 0) {
                        text.append(',');
                    }
                    text.append(raw);
                    values.add(value);
                    rawLength += raw.length();
                    tooLong |= value.length() > MAX_FIELD;
                }
                tooLong |= rawLength > MAX_RECORD;
                text.append(random.nextBoolean() ? "\n" : "\r\n");
                records.add(values);
                over.add(tooLong);
            }
            int chunk = 1 + random.nextInt(40);
            CsvLimitReader limits = new CsvLimitReader(new Chunked(new StringReader(text.toString()), chunk),
                    MAX_FIELD, MAX_RECORD);
            List<CSVRecord> parsed;
            try (CSVParser parser = CSVParser.builder().setReader(limits).setFormat(CSV).get()) {
                parsed = new ArrayList<>();
                for (CSVRecord record : parser) {
                    parsed.add(record);
                    boolean cut = limits.take(record.getRecordNumber()) != null;
                    int i = (int) record.getRecordNumber() - 1;
                    String where = "file " + file + " record " + (i + 1) + " chunk " + chunk + ": "
                            + text.toString().replace("\r", "\\r").replace("\n", "\\n");
                    assertThat(cut).as(where).isEqualTo(over.get(i));
                    cutRecords += cut ? 1 : 0;
                    keptRecords += cut ? 0 : 1;
                    if (!cut) {
                        assertThat(record.toList()).as(where).isEqualTo(records.get(i));
                    }
                }
            }
            assertThat(parsed).as("file %d", file).hasSize(count);
        }
        // both kinds came up often enough for the comparison to mean something
        assertThat(cutRecords).isGreaterThan(300);
        assertThat(keptRecords).isGreaterThan(300);
    }

    private static String randomText(Random random, String alphabet, int maxLength) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** Hands out at most {@code chunk} characters a read, so every state falls on a read boundary some time. */
    private static final class Chunked extends Reader {
        private final Reader in;
        private final int chunk;

        Chunked(Reader in, int chunk) {
            this.in = in;
            this.chunk = chunk;
        }

        @Override
        public int read(char[] cbuf, int off, int len) throws IOException {
            return in.read(cbuf, off, Math.min(len, chunk));
        }

        @Override
        public void close() {
        }
    }
}
