package dev.conveyor.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * POST /batches/{id}/replay-invalid (docs/batches.md): the invalid rows of a dropped file, downloaded as the
 * validation's report, corrected and sent back, are validated and loaded into the same batch, which re-opens and
 * closes again with its counts moved from rows_invalid to rows_valid — SUCCESS once nothing invalid is left.
 */
@ConveyorIntegrationTest
class InvalidRowsReplayTest extends RunningServiceTest {

    private static final String HEADER = "sku,title,price,quantity\n";
    private static final String BAD = "BAD-1,,1.00,1\nBAD-2,Thing,abc,2\nBAD-3,Other,3.00,-3\n";

    @Test
    void correctedInvalidRowsReplayedTwiceBringRowsInvalidToZeroTheWarehouseToTheFullCountAndTheBatchToSuccess()
            throws IOException {
        String batchId = droppedAndClosed("replay_mkt", HEADER + rows("RPL", 40) + BAD);
        JsonNode first = batch(batchId);
        assertThat(first.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(first.get("rows_invalid").asLong()).isEqualTo(3);
        String validation = first.get("jobs").get(0).get("job_id").asText();
        List<CSVRecord> report = report(validation);
        assertThat(report).hasSize(3);

        // the first replay fixes two rows and leaves BAD-3's quantity as it was: still invalid
        String partly = corrected(report, record -> switch (record.get("sku")) {
            case "BAD-1" -> "Named now";
            default -> null;
        }, record -> "BAD-2".equals(record.get("sku")) ? "2.00" : null);
        HttpResponse<String> replay = replay(batchId, partly);
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(202);
        assertThat(Api.json(replay).get("rows").asInt()).isEqualTo(3);
        String replayJob = Api.json(replay).get("job_id").asText();
        assertThat(api.job(replayJob).get("batch_id").asText()).isEqualTo(batchId);

        JsonNode afterFirst = awaitClosed(batchId);
        assertThat(afterFirst.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(afterFirst.get("rows_total").asLong()).isEqualTo(43);
        assertThat(afterFirst.get("rows_valid").asLong()).isEqualTo(42);
        assertThat(afterFirst.get("rows_invalid").asLong()).isEqualTo(1);
        assertThat(afterFirst.get("rows_loaded").asLong()).isEqualTo(42);
        assertThat(afterFirst.get("reconciliation").asText()).startsWith("rows_total 43 = rows_valid 42 + "
                + "rows_invalid 1").contains("2 invalid rows fixed by 1 replay")
                .contains("rows_valid 42 = rows_loaded 42 + rows_unchanged 0");
        // the row still invalid has a new report, of the replay, which names it by its row in the file (43, not the
        // replay's own 3)
        List<CSVRecord> stillBad = report(replayJob);
        assertThat(stillBad).singleElement().satisfies(row -> {
            assertThat(row.get("sku")).isEqualTo("BAD-3");
            assertThat(row.get("row")).isEqualTo(report.get(2).get("row")).isEqualTo("43");
        });

        // a row fixed already is no longer one to replay
        HttpResponse<String> again = replay(batchId, corrected(report, record -> null, record -> null));
        assertThat(again.statusCode()).isEqualTo(422);
        assertThat(Api.json(again).get("detail").asText()).contains("line 2 (row 41)").contains("line 3 (row 42)")
                .doesNotContain("row 43");

        // the second fixes the last one, from the replay's report: the report of the rows still wrong
        String last = corrected(stillBad, record -> null, record -> null)
                .replace(",-3,", ",3,");
        assertThat(replay(batchId, last).statusCode()).isEqualTo(202);
        JsonNode whole = awaitClosed(batchId);
        assertThat(whole.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(whole.get("rows_total").asLong()).isEqualTo(43);
        assertThat(whole.get("rows_valid").asLong()).isEqualTo(43);
        assertThat(whole.get("rows_invalid").asLong()).isZero();
        assertThat(whole.get("rows_loaded").asLong()).isEqualTo(43);
        assertThat(whole.get("reconciliation").asText()).startsWith("rows_total 43 = rows_valid 43 + rows_invalid 0");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM warehouse_listings WHERE marketplace = 'replay_mkt'",
                Long.class)).isEqualTo(43);
        assertThat(jdbc.queryForObject("SELECT price::text FROM warehouse_listings WHERE marketplace = 'replay_mkt' "
                + "AND sku = 'BAD-2'", String.class)).isEqualTo("2.00");

        // nothing invalid is left: nothing to replay
        HttpResponse<String> none = replay(batchId, last);
        assertThat(none.statusCode()).isEqualTo(409);
        assertThat(Api.json(none).get("detail").asText()).contains("has no invalid rows left to replay");
    }

    @Test
    void aReplayedBatchClosingAgainDoesNotSubmitItsCallbackASecondTime() throws IOException {
        // a POST /jobs/batch of one validation (inline rows, so no load) with a callback job for when it completes
        String csv = (HEADER + rows("RCB", 3) + "RCB-BAD,,1.00,1\n").replace("\n", "\\n");
        HttpResponse<String> submitted = api.postJson("/jobs/batch", "{\"jobs\":[{\"type\":\"csv_validation\","
                + "\"payload\":{\"marketplace\":\"replay_cb_mkt\",\"category\":\"games\",\"csv\":\"" + csv + "\"}}],"
                + "\"on_complete\":{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"permanent\",\"fail_times\":0},"
                + "\"correlation_id\":\"after-replay_cb_mkt\"}}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String batchId = Api.json(submitted).get("batch_id").asText();
        String validationId = Api.json(submitted).get("jobs").get(0).get("job_id").asText();
        JsonNode first = awaitClosed(batchId);
        assertThat(first.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        String callback = first.get("callback_job_ids").get("on_complete").asText();

        String fixed = corrected(report(validationId), record -> "Named now", record -> null);
        HttpResponse<String> replay = replay(batchId, fixed);
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(202);
        JsonNode whole = awaitClosed(batchId);

        assertThat(whole.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(whole.get("rows_invalid").asLong()).isZero();
        assertThat(whole.get("callback_job_ids").get("on_complete").asText()).isEqualTo(callback);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE source = 'callback' AND correlation_id = "
                + "'after-replay_cb_mkt'", Long.class)).isEqualTo(1);
        // each closing is a batch.completed
        assertThat(jdbc.queryForList("SELECT event_type FROM job_events WHERE job_id = ? ORDER BY created_at",
                String.class, batchId)).containsExactly("batch.started", "batch.completed", "batch.completed");
    }

    @Test
    void badReplayBodiesAreRefusedWithWhatToChangeAndNothingIsReopened() throws IOException {
        String batchId = droppedAndClosed("replay_bad_mkt", HEADER + rows("RPB", 5) + BAD);
        String validation = batch(batchId).get("jobs").get(0).get("job_id").asText();
        List<CSVRecord> report = report(validation);

        assertProblem(replay(batchId, ""), 422, "the body is empty");
        assertProblem(replay(batchId, "sku,title,price,quantity\nBAD-1,x,1.00,1\n"), 422, "the header lacks [row]");
        assertProblem(replay(batchId, "row,sku,title\n6,BAD-1,x\n"), 422, "the header lacks [price, quantity]");
        assertProblem(replay(batchId, "row,sku,title,price,quantity,errors\n"), 422, "no rows");
        assertProblem(replay(batchId, "row,sku,title,price,quantity\n6,BAD-1,x,1.00,1\n999,X,y,1.00,1\n"), 422,
                "line 3 (row 999)");
        assertProblem(replay(batchId, "row,sku,title,price,quantity\nsix,BAD-1,x,1.00,1\n"), 422,
                "line 2: 'six' in column row");
        assertProblem(replay(batchId, "row,sku,title,price,quantity,errors\n6,,,,,price: bad\n"), 422,
                "line 2: every value of row 6 is empty");
        HttpResponse<String> latin1 = api.send("POST", "/batches/" + batchId + "/replay-invalid",
                HttpRequest.BodyPublishers.ofByteArray(new byte[] {'r', 'o', 'w', '\n', (byte) 0xE9, '\n'}),
                "Content-Type", "text/csv");
        assertProblem(latin1, 422, "not UTF-8");
        assertThat(batch(batchId).get("status").asText()).as("refusals re-open nothing").isEqualTo("PARTIAL_SUCCESS");
        assertThat(report).hasSize(3);

        // a batch with no file
        String apiBatch = Api.json(api.postJson("/jobs/batch",
                "[{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"permanent\",\"fail_times\":0}}]"))
                .get("batch_id").asText();
        awaitClosed(apiBatch);
        assertProblem(replay(apiBatch, "row,sku\n1,A\n"), 409, "has no csv_validation job");
        // no such batch
        assertThat(replay("bat_00000000000000000000000000000000", "row\n1\n").statusCode()).isEqualTo(404);
    }

    private void assertProblem(HttpResponse<String> response, int status, String detail) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(Api.json(response).get("detail").asText()).contains(detail);
    }

    /** The report's rows with {@code title} and {@code price} replaced where the functions say (null: as it was). */
    private static String corrected(List<CSVRecord> report, java.util.function.Function<CSVRecord, String> title,
                                    java.util.function.Function<CSVRecord, String> price) throws IOException {
        StringBuilder out = new StringBuilder();
        try (CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setRecordSeparator('\n').get())) {
            printer.printRecord("row", "sku", "title", "price", "quantity", "errors");
            for (CSVRecord record : report) {
                String newTitle = title.apply(record);
                String newPrice = price.apply(record);
                printer.printRecord(record.get("row"), record.get("sku"),
                        newTitle == null ? record.get("title") : newTitle,
                        newPrice == null ? record.get("price") : newPrice, record.get("quantity"),
                        record.get("errors"));
            }
        }
        return out.toString();
    }

    private List<CSVRecord> report(String jobId) throws IOException {
        HttpResponse<String> response = api.get("/jobs/" + jobId + "/report");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        try (CSVParser parser = CSVFormat.RFC4180.builder().setHeader().get().parse(new StringReader(response.body()))) {
            return new ArrayList<>(parser.getRecords());
        }
    }

    private HttpResponse<String> replay(String batchId, String csv) {
        return api.post("/batches/" + batchId + "/replay-invalid", "text/csv",
                HttpRequest.BodyPublishers.ofString(csv));
    }

    private String droppedAndClosed(String marketplace, String csv) throws IOException {
        Path dir = Files.createDirectories(properties.inbox().dir().resolve(marketplace).resolve("electronics"));
        Path staged = Files.createTempFile("staged", ".csv");
        Files.writeString(staged, csv);
        Files.move(staged, dir.resolve("listings.csv"));
        String validationId = await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForList(
                "SELECT job_id FROM jobs WHERE marketplace = ? AND type = 'csv_validation'", String.class,
                marketplace), ids -> ids.size() == 1).get(0);
        String batchId = api.job(validationId).get("batch_id").asText();
        awaitClosed(batchId);
        return batchId;
    }

    private JsonNode batch(String batchId) {
        HttpResponse<String> response = api.get("/batches/" + batchId);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Api.json(response);
    }

    private JsonNode awaitClosed(String batchId) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> batch(batchId), b -> !b.get("status").asText().equals("RUNNING"));
    }

    private static String rows(String prefix, int count) {
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            rows.append(prefix).append('-').append(i).append(",Item ").append(i).append(',').append(i)
                    .append(".50,").append(i % 7).append('\n');
        }
        return rows.toString();
    }
}
