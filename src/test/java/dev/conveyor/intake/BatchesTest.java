package dev.conveyor.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Files and requests as batches (docs/batches.md): every dropped file, upload and POST /jobs/batch request is a batch
 * its jobs name, closed once when all of them are final, with its rows counted and reconciled.
 */
@ConveyorIntegrationTest
class BatchesTest extends RunningServiceTest {

    private static final String HEADER = "sku,title,price,quantity\n";
    /** A test_flaky job that succeeds at once (it fails only while its attempt is at most fail_times). */
    private static final String QUICK = "{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"permanent\",\"fail_times\":0}}";

    @Autowired
    TransactionTemplate tx;

    @Autowired
    BatchCompletion completion;

    @Autowired
    org.apache.camel.CamelContext camel;

    @Test
    void aDroppedFileWithBadRowsIsABatchThatEndsPartialSuccessOnceItsLoadIsDoneWithItsRowsAddingUp()
            throws Exception {
        Path dir = Files.createDirectories(properties.inbox().dir().resolve("batch_mkt").resolve("electronics"));
        String csv = HEADER + rows("BAT", 1, 40) + "BAD-1,,abc,1\nBAD-2,Thing,1.00,-3\n";
        drop(dir, "listings.csv", csv);

        String validationId = await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForList(
                "SELECT job_id FROM jobs WHERE marketplace = 'batch_mkt' AND type = 'csv_validation'", String.class),
                ids -> ids.size() == 1).get(0);
        String batchId = api.job(validationId).get("batch_id").asText();
        assertThat(batchId).matches("bat_[0-9a-f]{32}");
        JsonNode started = batch(batchId);
        assertThat(started.get("source").asText()).isEqualTo("inbox");
        assertThat(started.get("source_ref").asText()).isEqualTo("batch_mkt/electronics/listings.csv");
        assertThat(started.get("sha256").asText()).isEqualTo(sha256(csv.getBytes(StandardCharsets.UTF_8)));

        JsonNode done = awaitClosed(batchId);

        assertThat(done.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(done.get("progress").asInt()).isEqualTo(100);
        assertThat(done.get("rows_total").asLong()).isEqualTo(42);
        assertThat(done.get("rows_valid").asLong()).isEqualTo(40);
        assertThat(done.get("rows_invalid").asLong()).isEqualTo(2);
        assertThat(done.get("rows_loaded").asLong()).isEqualTo(40);
        assertThat(done.get("rows_unchanged").asLong()).isZero();
        assertThat(done.get("reconciliation").asText())
                .isEqualTo("rows_total 42 = rows_valid 40 + rows_invalid 2; rows_valid 40 = rows_loaded 40 + rows_unchanged 0");
        // the validation and the load it was followed by, both of the batch; the batch closed after the last of them
        assertThat(done.get("jobs_total").asInt()).isEqualTo(2);
        assertThat(done.get("jobs_by_status").get("PARTIAL_SUCCESS").asInt()).isEqualTo(1);
        assertThat(done.get("jobs_by_status").get("SUCCESS").asInt()).isEqualTo(1);
        Instant closedAt = Instant.parse(done.get("completed_at").asText());
        for (JsonNode job : done.get("jobs")) {
            assertThat(job.get("batch_id").asText()).isEqualTo(batchId);
            assertThat(Instant.parse(job.get("completed_at").asText())).isBeforeOrEqualTo(closedAt);
        }
        assertThat(done.get("jobs")).extracting(job -> job.get("type").asText())
                .containsExactly("csv_validation", "warehouse_load");

        // its events: started once, completed once with the counts; its jobs' events name it
        assertThat(jdbc.queryForList("SELECT event_type FROM job_events WHERE job_id = ? ORDER BY created_at",
                String.class, batchId)).containsExactly("batch.started", "batch.completed");
        JsonNode completed = Api.json(jdbc.queryForObject("SELECT payload::text FROM job_events WHERE job_id = ? "
                + "AND event_type = 'batch.completed'", String.class, batchId));
        assertThat(completed.get("job_id").isNull()).isTrue();
        assertThat(completed.get("batch").get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(completed.get("batch").get("rows_invalid").asLong()).isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT DISTINCT payload->>'batch_id' FROM job_events WHERE job_id = ?",
                String.class, validationId)).containsExactly(batchId);
    }

    @Test
    void anUploadIsABatchWithTheSha256OfItsBody() throws Exception {
        byte[] csv = (HEADER + rows("UPL", 1, 5)).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = api.postCsv("/jobs/csv?marketplace=batch_upl&category=toys",
                () -> new ByteArrayInputStream(csv));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode job = api.job(Api.json(response).get("job_id").asText());

        JsonNode batch = batch(job.get("batch_id").asText());
        assertThat(batch.get("source").asText()).isEqualTo("upload");
        assertThat(batch.get("source_ref").asText()).startsWith("uploads/");
        assertThat(batch.get("sha256").asText()).isEqualTo(sha256(csv));
        assertThat(batch.get("jobs").get(0).get("job_id").asText()).isEqualTo(job.get("job_id").asText());
        assertThat(awaitClosed(batch.get("batch_id").asText()).get("rows_total").asLong()).isEqualTo(5);
    }

    @Test
    void aBatchRequestIsStoredAsOneBatchOfItsJobsListedWithTheFiltersAndPagesOfJobs() {
        HttpResponse<String> response = api.postJson("/jobs/batch", "[" + QUICK + "," + QUICK + "]");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String batchId = Api.json(response).get("batch_id").asText();
        for (JsonNode job : Api.json(response).get("jobs")) {
            assertThat(api.job(job.get("job_id").asText()).get("batch_id").asText()).isEqualTo(batchId);
        }

        JsonNode done = awaitClosed(batchId);
        assertThat(done.get("source").asText()).isEqualTo("api");
        assertThat(done.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(done.get("jobs_by_status").get("SUCCESS").asInt()).isEqualTo(2);
        // no file: no rows to count, nothing to reconcile
        assertThat(done.get("rows_total").isNull()).isTrue();
        assertThat(done.get("sha256").isNull()).isTrue();

        String second = Api.json(api.postJson("/jobs/batch", "[" + QUICK + "]")).get("batch_id").asText();
        JsonNode firstPage = Api.json(api.get("/batches?source=api&limit=1"));
        assertThat(firstPage.get("batches").get(0).get("batch_id").asText()).isEqualTo(second);
        JsonNode secondPage = Api.json(api.get("/batches?source=api&limit=1&after="
                + firstPage.get("next_after").asText()));
        assertThat(secondPage.get("batches").get(0).get("batch_id").asText()).isEqualTo(batchId);
        assertThat(Api.json(api.get("/batches?status=SUCCESS&limit=500")).get("batches"))
                .extracting(b -> b.get("batch_id").asText()).contains(batchId).doesNotContain(second);
        assertThat(listed(batchId).get("progress").asInt()).as("a closed batch, as listed").isEqualTo(100);
    }

    @Test
    void cancellingABatchCancelsEveryJobOfItThatHasNotFinished() {
        String waiting = "{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"slow\"},\"run_at\":\""
                + Instant.now().plus(Duration.ofHours(1)) + "\"}";
        String running = "{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"slow\"}}";
        JsonNode accepted = Api.json(api.postJson("/jobs/batch", "[" + waiting + "," + running + "]"));
        String batchId = accepted.get("batch_id").asText();

        HttpResponse<String> cancel = api.postJson("/batches/" + batchId + "/cancel", "");
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);

        JsonNode done = awaitClosed(batchId);
        assertThat(done.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(done.get("jobs")).extracting(job -> job.get("status").asText()).containsOnly("CANCELLED");
        // a closed batch cannot be cancelled again
        assertThat(api.postJson("/batches/" + batchId + "/cancel", "").statusCode()).isEqualTo(409);
    }

    @Test
    void rowsThatDoNotAddUpFailTheBatchWithANoteNamingTheNumbers() {
        String batchId = "bat_" + UUID.randomUUID().toString().replace("-", "");
        // a validation that says 10 rows, 8 valid and 1 invalid: one row is missing from its accounting. Written in
        // one transaction, as intake writes a batch with its jobs, so the completion never sees one without the other
        tx.executeWithoutResult(status -> {
            jdbc.update("INSERT INTO batches (batch_id, tenant_id, source, source_ref) VALUES (?, 'default', 'inbox', "
                    + "'recon_mkt/toys/x.csv')", batchId);
            insertJob(batchId, "csv_validation", "PARTIAL_SUCCESS",
                    "{\"total_rows\": 10, \"valid_rows\": 8, \"error_rows\": 1}");
        });

        JsonNode done = awaitClosed(batchId);

        assertThat(done.get("status").asText()).isEqualTo("FAILED");
        assertThat(done.get("reconciliation").asText()).isEqualTo("rows do not add up: rows_total 10 != rows_valid 8"
                + " + rows_invalid 1 (1 rows counted as neither valid nor invalid)");
        assertThat(done.get("rows_total").asLong()).isEqualTo(10);
    }

    @Test
    void aBatchIsOpenWhileAJobOfItStillHasFollowUpsToCreate() {
        String batchId = "bat_" + UUID.randomUUID().toString().replace("-", "");
        String validation = tx.execute(status -> {
            jdbc.update("INSERT INTO batches (batch_id, tenant_id, source) VALUES (?, 'default', 'api')", batchId);
            String jobId = insertJob(batchId, "csv_validation", "SUCCESS",
                    "{\"total_rows\": 3, \"valid_rows\": 3, \"error_rows\": 0}");
            // ended, and its follow-ups recorded with its ending but not created yet (JobChains creates them next)
            jdbc.update("UPDATE jobs SET follow_ups = '[]'::jsonb WHERE job_id = ?", jobId);
            return jobId;
        });
        // the completion runs every second: two of its rounds pass, and the batch is still open
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
                .until(() -> batch(batchId).get("status").asText().equals("RUNNING"));
        assertThat(batch(batchId).get("progress").asInt()).isEqualTo(99);
        assertThat(listed(batchId).get("progress").asInt()).as("the open batch, as GET /batches lists it")
                .isEqualTo(99);

        jdbc.update("UPDATE jobs SET follow_ups = NULL WHERE job_id = ?", validation);
        assertThat(awaitClosed(batchId).get("status").asText()).isEqualTo("SUCCESS");
    }

    @Test
    void twoCompletersRacingCloseEachBatchExactlyOnce() throws Exception {
        // only the two threads below complete batches here: the route's timer would be a third, unseen racer
        camel.getRouteController().stopRoute("batch-completion");
        try {
            List<String> batchIds = new java.util.ArrayList<>();
            tx.executeWithoutResult(status -> {
                for (int i = 0; i < 20; i++) {
                    String batchId = "bat_" + UUID.randomUUID().toString().replace("-", "");
                    jdbc.update("INSERT INTO batches (batch_id, tenant_id, source, callbacks) VALUES (?, 'default', "
                            + "'api', CAST(? AS jsonb))", batchId, "{\"on_complete\": " + QUICK + "}");
                    insertJob(batchId, "test_flaky", "SUCCESS", "{}");
                    batchIds.add(batchId);
                }
            });
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            java.util.concurrent.Callable<Integer> completer = () -> {
                start.await();
                int closed = 0;
                for (int round = 0; round < 20; round++) {
                    closed += completion.completeFinished();
                }
                return closed;
            };
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                java.util.concurrent.Future<Integer> first = threads.submit(completer);
                java.util.concurrent.Future<Integer> second = threads.submit(completer);
                assertThat(first.get(60, java.util.concurrent.TimeUnit.SECONDS)
                        + second.get(60, java.util.concurrent.TimeUnit.SECONDS)).isGreaterThanOrEqualTo(20);
            } finally {
                threads.shutdownNow();
            }
            for (String batchId : batchIds) {
                assertThat(batch(batchId).get("status").asText()).isEqualTo("SUCCESS");
                assertThat(jdbc.queryForObject("SELECT count(*) FROM job_events WHERE job_id = ? "
                        + "AND event_type = 'batch.completed'", Long.class, batchId)).as(batchId).isEqualTo(1);
                assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE idempotency_key = ?", Long.class,
                        "batch:" + batchId + ":on_complete")).as("callback jobs of " + batchId).isEqualTo(1);
            }
        } finally {
            camel.getRouteController().startRoute("batch-completion");
        }
    }

    @Test
    void aBatchRequestsCallbacksAreSubmittedOnceWhenItCompletesAndOnSuccessOnlyIfItSucceeded() {
        String body = "{\"jobs\": [" + QUICK + "], \"on_complete\": " + QUICK + ", \"on_success\": " + QUICK + "}";
        HttpResponse<String> response = api.postJson("/jobs/batch", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String batchId = Api.json(response).get("batch_id").asText();

        JsonNode done = awaitClosed(batchId);

        assertThat(done.get("status").asText()).isEqualTo("SUCCESS");
        JsonNode fired = done.get("callback_job_ids");
        for (String name : List.of("on_complete", "on_success")) {
            JsonNode job = api.awaitFinished(fired.get(name).asText());
            assertThat(job.get("source").asText()).isEqualTo("callback");
            assertThat(job.get("status").asText()).isEqualTo("SUCCESS");
            assertThat(job.get("batch_id").isNull()).as("a callback is not a job of the batch it follows").isTrue();
            assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE idempotency_key = ?", Long.class,
                    "batch:" + batchId + ":" + name)).isEqualTo(1);
        }

        // a batch that fails gets its on_complete and not its on_success
        String failing = "{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"permanent\"}}";
        String failed = Api.json(api.postJson("/jobs/batch", "{\"jobs\": [" + failing + "], \"on_complete\": "
                + QUICK + ", \"on_success\": " + QUICK + "}")).get("batch_id").asText();
        JsonNode failedBatch = awaitClosed(failed);
        assertThat(failedBatch.get("status").asText()).isEqualTo("FAILED");
        assertThat(failedBatch.get("callback_job_ids").has("on_complete")).isTrue();
        assertThat(failedBatch.get("callback_job_ids").has("on_success")).isFalse();
    }

    @Test
    void aFileDroppedInAFolderWithCallbacksGetsItsCallbackJobOnceWithTheFilesListingFilledIn() throws IOException {
        // TestEnvironment: conveyor.batches.inbox-callbacks gives folder batch_cb_mkt an on-complete job
        Path dir = Files.createDirectories(properties.inbox().dir().resolve("batch_cb_mkt").resolve("toys"));
        drop(dir, "listings.csv", HEADER + rows("CB", 1, 3));
        String validationId = await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForList(
                "SELECT job_id FROM jobs WHERE marketplace = 'batch_cb_mkt' AND type = 'csv_validation'",
                String.class), ids -> ids.size() == 1).get(0);

        JsonNode done = awaitClosed(api.job(validationId).get("batch_id").asText());

        assertThat(done.get("status").asText()).isEqualTo("SUCCESS");
        JsonNode callback = api.job(done.get("callback_job_ids").get("on_complete").asText());
        assertThat(callback.get("type").asText()).isEqualTo("test_flaky");
        assertThat(callback.get("correlation_id").asText()).isEqualTo("after-batch_cb_mkt-toys");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE source = 'callback' AND correlation_id = "
                + "'after-batch_cb_mkt-toys'", Long.class)).isEqualTo(1);
    }

    @Test
    void aCallbackThatIsNotAJobRefusesTheBatchAndNothingIsWritten() {
        HttpResponse<String> response = api.postJson("/jobs/batch", "{\"jobs\": [" + QUICK + "], "
                + "\"on_complete\": {\"type\": \"no_such_type\", \"payload\": {}}}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(Api.json(response).get("detail").asText()).startsWith("'on_complete' is not a job this tenant "
                + "could submit: unknown job type 'no_such_type'");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batches WHERE callbacks::text LIKE '%no_such_type%'",
                Long.class)).isZero();
    }

    @Test
    void aReaderSeesBatchesButMayNotCancelOneAndAnotherTenantsBatchIsNotFound() {
        String batchId = Api.json(api.postJson("/jobs/batch", "[" + QUICK + "]")).get("batch_id").asText();
        Api reader = api.as(api.newKey("default", "reader"));
        assertThat(reader.get("/batches/" + batchId).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = reader.postJson("/batches/" + batchId + "/cancel", "");
        assertThat(refused.statusCode()).isEqualTo(403);

        Api other = api.as(api.newKey("other_batch_tenant", "admin"));
        HttpResponse<String> unknown = other.get("/batches/" + batchId);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/problem+json"));
        assertThat(api.get("/batches/not-a-batch").statusCode()).isEqualTo(404);
    }

    private String insertJob(String batchId, String type, String status, String result) {
        UUID id = UUID.randomUUID();
        String jobId = "job_" + id.toString().replace("-", "");
        jdbc.update("INSERT INTO jobs (id, job_id, tenant_id, type, status, payload, result, batch_id, completed_at) "
                + "VALUES (?, ?, 'default', ?, ?, '{}'::jsonb, CAST(? AS jsonb), ?, now())", id, jobId, type, status,
                result, batchId);
        return jobId;
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

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Writes the file beside the inbox and moves it in whole, as the README tells users to. */
    /** The batch as {@code GET /batches} lists it (newest first, so a page of the latest 500 holds it). */
    private JsonNode listed(String batchId) {
        for (JsonNode batch : Api.json(api.get("/batches?limit=500")).get("batches")) {
            if (batch.get("batch_id").asText().equals(batchId)) {
                return batch;
            }
        }
        throw new AssertionError(batchId + " is not among the latest 500 batches GET /batches lists");
    }

    private static void drop(Path dir, String name, String content) throws IOException {
        Path staged = Files.createTempFile("staged", ".csv");
        Files.writeString(staged, content);
        Files.move(staged, dir.resolve(name));
    }

    private static String rows(String prefix, int from, int to) {
        StringBuilder rows = new StringBuilder();
        for (int i = from; i <= to; i++) {
            rows.append(prefix).append('-').append(i).append(",Item ").append(i).append(',').append(i)
                    .append(".50,").append(i % 7).append('\n');
        }
        return rows.toString();
    }
}
