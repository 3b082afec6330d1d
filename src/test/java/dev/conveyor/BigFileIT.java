package dev.conveyor;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.GeneratedCsv;
import dev.conveyor.support.ServiceProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A 1,000,000-row file dropped into the inbox of the packaged service, run with a 256 MiB heap: validated
 * and loaded into the warehouse with exact counts, its memory bounded whatever the file's size. The rows/s
 * and peak RSS it prints are figures for the notes, not assertions on speed.
 */
@Tag("slow") // a million-row file through the packaged service
class BigFileIT {

    /** 1M by default; {@code -Dbigfile.rows=5000000} for the 5M-row memory check. */
    private static final long ROWS = Long.getLong("bigfile.rows", 1_000_000);
    private static final long BAD_EVERY = 50;

    @Test
    void aMillionRowFileIsValidatedAndLoadedWithBoundedMemory() throws Exception {
        Path work = Files.createTempDirectory("conveyor-bigfile");
        Path inbox = work.resolve("inbox");
        Path staged = work.resolve("listings.csv");
        try (InputStream csv = new GeneratedCsv(ROWS, BAD_EVERY)) {
            Files.copy(csv, staged);
        }
        try (ServiceProcess service = ServiceProcess.start("bigfile", ServiceProcess.freePort(),
                // DB_EMBEDDED_FAST: this test measures memory, not durability; a million-row load with fsync on
                // would spend its time flushing WAL on this shared machine's disk
                Map.of("DATA_DIR", work.resolve("data").toString(), "INBOX_DIR", inbox.toString(),
                        "DB_EMBEDDED_FAST", "true"), "-Xmx256m")) {
            Api api = service.api();
            Path folder = Files.createDirectories(inbox.resolve("big_mkt").resolve("toys"));
            Instant dropped = Instant.now();
            Files.move(staged, folder.resolve("listings.csv"));

            JsonNode validation = awaitFinishedOfType(api, "csv_validation");
            JsonNode load = api.awaitFinished(api.awaitFirstChild(validation), Duration.ofMinutes(5));
            Duration chain = Duration.between(dropped, Instant.parse(load.get("completed_at").asText()));

            long bad = GeneratedCsv.badRows(ROWS, BAD_EVERY);
            assertThat(validation.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
            assertThat(validation.get("result").get("total_rows").asLong()).isEqualTo(ROWS);
            assertThat(validation.get("result").get("error_rows").asLong()).isEqualTo(bad);
            assertThat(load.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(load.get("result").get("inserted").asLong()).isEqualTo(ROWS - bad);
            // a big first load: its rows went into their table while the file was validated; the load attached it
            assertThat(load.get("result").get("rows_from").asText()).isEqualTo("build");
            assertThat(load.get("result").get("load_path").asText()).isEqualTo("attached");
            long peakRss = service.peakRssKib();
            System.out.printf("big file: %,d rows dropped → chain finished in %d ms = %,d rows/s "
                            + "(validation %d ms, load %d ms); service peak RSS %,d KiB with -Xmx256m%n",
                    ROWS, chain.toMillis(), ROWS * 1000 / Math.max(1, chain.toMillis()),
                    validation.get("result").get("processing_time_ms").asLong(),
                    load.get("result").get("processing_time_ms").asLong(), peakRss);
            if (peakRss > 0) {
                assertThat(peakRss).as("peak RSS in KiB").isLessThan(512 * 1024);
            }
        }
    }

    private static JsonNode awaitFinishedOfType(Api api, String type) {
        JsonNode summary = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (JsonNode job : Api.json(api.get("/jobs?type=" + type)).get("jobs")) {
                return job;
            }
            return null;
        }, job -> job != null);
        return api.awaitFinished(summary.get("job_id").asText(), Duration.ofMinutes(5));
    }

}
