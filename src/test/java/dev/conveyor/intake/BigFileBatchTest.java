package dev.conveyor.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.GeneratedCsv;
import dev.conveyor.support.RunningServiceTest;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The tour of issue 17 at size, through the real inbox: a 100,000-row file with 2% bad rows is one batch whose
 * progress rises while it runs and that closes PARTIAL_SUCCESS with its rows reconciled exactly; its 2,000 invalid
 * rows, downloaded, corrected and replayed, bring rows_invalid to 0, the warehouse to all 100,000 rows and the batch
 * to SUCCESS.
 */
@ConveyorIntegrationTest
@Tag("slow") // 100,000 rows validated and loaded, then 2,000 replayed
class BigFileBatchTest extends RunningServiceTest {

    private static final int ROWS = 100_000;
    /** GeneratedCsv: every 50th row has a price that is not a number (2%). */
    private static final int BAD_EVERY = 50;

    @Test
    void aHundredThousandRowFileWithTwoPercentBadRowsReconcilesExactlyAndItsReplayedRowsMakeItWhole()
            throws Exception {
        Path dir = Files.createDirectories(properties.inbox().dir().resolve("big_batch_mkt/electronics"));
        Path staged = Files.createTempFile("staged", ".csv");
        try (InputStream csv = new GeneratedCsv(ROWS, BAD_EVERY)) {
            Files.copy(csv, staged, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(staged, dir.resolve("listings.csv"));

        String validationId = await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.queryForList(
                "SELECT job_id FROM jobs WHERE marketplace = 'big_batch_mkt' AND type = 'csv_validation'",
                String.class), ids -> ids.size() == 1).get(0);
        String batchId = api.job(validationId).get("batch_id").asText();
        List<Integer> seen = new CopyOnWriteArrayList<>();
        JsonNode closed = await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    JsonNode batch = batch(batchId);
                    if ("RUNNING".equals(batch.get("status").asText())) {
                        seen.add(batch.get("progress").asInt());
                    }
                    return batch;
                }, batch -> !"RUNNING".equals(batch.get("status").asText()));

        // progress rose while it ran, never fell, and never claimed 100 before it closed
        assertThat(seen).isSorted().allMatch(p -> p >= 0 && p < 100);
        assertThat(seen.stream().distinct().count()).as("progress values seen: %s", seen).isGreaterThan(1);
        assertThat(closed.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(closed.get("progress").asInt()).isEqualTo(100);
        assertThat(closed.get("rows_total").asLong()).isEqualTo(100_000);
        assertThat(closed.get("rows_valid").asLong()).isEqualTo(98_000);
        assertThat(closed.get("rows_invalid").asLong()).isEqualTo(2_000);
        assertThat(closed.get("rows_loaded").asLong()).isEqualTo(98_000);
        assertThat(closed.get("rows_unchanged").asLong()).isZero();
        assertThat(closed.get("reconciliation").asText()).isEqualTo("rows_total 100000 = rows_valid 98000 + "
                + "rows_invalid 2000; rows_valid 98000 = rows_loaded 98000 + rows_unchanged 0");
        assertThat(warehouseRows()).isEqualTo(98_000);

        // download the invalid rows, fix their prices, replay them
        HttpResponse<String> report = api.get("/jobs/" + validationId + "/report");
        assertThat(report.statusCode()).isEqualTo(200);
        StringBuilder fixed = new StringBuilder();
        try (CSVParser parser = CSVFormat.RFC4180.builder().setHeader().get().parse(new StringReader(report.body()));
             CSVPrinter printer = new CSVPrinter(fixed, CSVFormat.RFC4180.builder().setRecordSeparator('\n').get())) {
            printer.printRecord(parser.getHeaderNames());
            for (CSVRecord row : parser) {
                assertThat(row.get("price")).isEqualTo("n/a");
                printer.printRecord(row.get("row"), row.get("sku"), row.get("title"), "5.00", row.get("quantity"),
                        row.get("errors"));
            }
        }
        HttpResponse<String> replay = api.post("/batches/" + batchId + "/replay-invalid", "text/csv",
                HttpRequest.BodyPublishers.ofString(fixed.toString()));
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(202);
        assertThat(Api.json(replay).get("rows").asInt()).isEqualTo(2_000);
        assertThat(batch(batchId).get("status").asText()).as("re-opened while the replay runs").isEqualTo("RUNNING");

        JsonNode whole = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> batch(batchId), batch -> !"RUNNING".equals(batch.get("status").asText()));
        assertThat(whole.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(whole.get("rows_total").asLong()).isEqualTo(100_000);
        assertThat(whole.get("rows_valid").asLong()).isEqualTo(100_000);
        assertThat(whole.get("rows_invalid").asLong()).isZero();
        assertThat(whole.get("rows_loaded").asLong()).isEqualTo(100_000);
        assertThat(whole.get("reconciliation").asText()).isEqualTo("rows_total 100000 = rows_valid 100000 + "
                + "rows_invalid 0; 2000 invalid rows fixed by 1 replay; rows_valid 100000 = rows_loaded 100000 + "
                + "rows_unchanged 0");
        assertThat(warehouseRows()).isEqualTo(100_000);
    }

    private long warehouseRows() {
        return jdbc.queryForObject("SELECT count(*) FROM warehouse_listings WHERE marketplace = 'big_batch_mkt'",
                Long.class);
    }

    private JsonNode batch(String batchId) {
        HttpResponse<String> response = api.get("/batches/" + batchId);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Api.json(response);
    }
}
