package dev.conveyor.intake;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** POST /jobs/batch: all items or none, in order, each checked as POST /jobs checks one job. */
@ConveyorIntegrationTest
class BatchSubmitTest extends RunningServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The correlation id of every item a test sends whose jobs it counts: the service is shared, and a job or event
     * another class left in flight (a retry, a follow-up) must not count as one this test created.
     */
    private String tag;

    @BeforeEach
    void tagThisTestsItems() {
        tag = "batch-submit-" + UUID.randomUUID();
    }

    @Test
    void aBatchOfAHundredIsAcceptedInOrderAndEveryJobRuns() {
        List<String> items = IntStream.range(0, 100).mapToObj(i -> withCorrelation(CsvJobs.inline(CsvJobs.CLEAN),
                "batch-order-" + i)).toList();

        HttpResponse<String> response = api.postJson("/jobs/batch", "[" + String.join(",", items) + "]");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode body = Api.json(response);
        assertThat(body.get("batch_id").asText()).matches("bat_[0-9a-f]{32}");
        List<String> ids = new ArrayList<>();
        body.get("jobs").forEach(job -> {
            assertThat(job.get("status").asText()).isEqualTo("QUEUED");
            assertThat(job.get("created_at").asText()).isNotBlank();
            ids.add(job.get("job_id").asText());
        });
        assertThat(ids).hasSize(100).doesNotHaveDuplicates();
        // time-ordered ids (JobIds): a batch's jobs sort in the order they were submitted
        assertThat(ids).isSorted();
        for (int i = 0; i < 100; i++) {
            assertThat(jdbc.queryForObject("SELECT correlation_id FROM jobs WHERE job_id = ?", String.class,
                    ids.get(i))).isEqualTo("batch-order-" + i);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM job_events WHERE event_type = 'job.queued' AND job_id = "
                + "ANY(?)", Integer.class, (Object) ids.toArray(String[]::new))).isEqualTo(100);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE job_id = ANY(?) AND submitted_by IS NOT NULL",
                Integer.class, (Object) ids.toArray(String[]::new))).isEqualTo(100);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM jobs WHERE job_id = ANY(?) AND status IN ('SUCCESS', 'PARTIAL_SUCCESS')",
                Integer.class, (Object) ids.toArray(String[]::new)) == 100);
    }

    @Test
    void ndjsonIsOneJobALine() {
        String body = CsvJobs.inline(CsvJobs.CLEAN) + "\n" + CsvJobs.inline(CsvJobs.TWO_BAD_ROWS) + "\n\n";

        HttpResponse<String> response = api.post("/jobs/batch", "application/x-ndjson",
                java.net.http.HttpRequest.BodyPublishers.ofString(body));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode jobs = Api.json(response).get("jobs");
        assertThat(jobs).hasSize(2);
        assertThat(api.awaitFinished(jobs.get(0).get("job_id").asText()).get("status").asText()).isEqualTo("SUCCESS");
        assertThat(api.awaitFinished(jobs.get(1).get("job_id").asText()).get("status").asText())
                .isEqualTo("PARTIAL_SUCCESS");
    }

    @Test
    void oneBadItemRefusesTheBatchWithEachBadIndexAndCreatesNothing() {
        String good = mine(CsvJobs.inline(CsvJobs.CLEAN));
        String unknownType = mine("{\"type\":\"no_such_type\",\"payload\":{}}");
        String schemaFailure = mine("{\"type\":\"csv_validation\",\"payload\":{\"marketplace\":\"acme\"}}");
        String nul = mine(CsvJobs.inline("acme", "toys", "sku" + '\0' + ",title\n"));

        HttpResponse<String> response = api.postJson("/jobs/batch",
                "[" + String.join(",", good, unknownType, good, schemaFailure, nul) + "]");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode errors = Api.json(response).get("errors");
        assertThat(errors).hasSize(3);
        assertThat(errors.get(0).get("index").asInt()).isEqualTo(1);
        assertThat(errors.get(0).get("errors").toString()).contains("unknown job type");
        assertThat(errors.get(1).get("index").asInt()).isEqualTo(3);
        assertThat(errors.get(1).get("errors")).isNotEmpty();
        assertThat(errors.get(2).get("index").asInt()).isEqualTo(4);
        assertThat(errors.get(2).get("errors").toString()).contains("\\\\u0000");
        assertThat(myJobs()).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM job_events WHERE payload->>'correlation_id' = ?",
                Long.class, tag)).isZero();
    }

    @Test
    void aMalformedNdjsonLineIsThatItemsError() {
        String body = mine(CsvJobs.inline(CsvJobs.CLEAN)) + "\n{not json\n";

        HttpResponse<String> response = api.post("/jobs/batch", "application/x-ndjson",
                java.net.http.HttpRequest.BodyPublishers.ofString(body));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(Api.json(response).get("errors").get(0).get("index").asInt()).isEqualTo(1);
        assertThat(myJobs()).isZero();
    }

    @Test
    void moreItemsThanTheLimitAre413NamingIt() {
        String item = mine("{\"type\":\"csv_validation\",\"payload\":{}}");

        HttpResponse<String> response = api.postJson("/jobs/batch",
                "[" + IntStream.range(0, 1001).mapToObj(i -> item).collect(Collectors.joining(",")) + "]");

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(Api.json(response).get("detail").asText()).contains("1000").contains("conveyor.intake.max-batch");
        assertThat(myJobs()).isZero();
    }

    @Test
    void anEmptyBatchOrOneThatIsNotAnArrayIsRefused() {
        assertThat(api.postJson("/jobs/batch", "[]").statusCode()).isEqualTo(422);
        assertThat(api.post("/jobs/batch", "application/x-ndjson",
                java.net.http.HttpRequest.BodyPublishers.ofString("\n")).statusCode()).isEqualTo(422);
        assertThat(api.postJson("/jobs/batch", CsvJobs.inline(CsvJobs.CLEAN)).statusCode()).isEqualTo(400);
        assertThat(api.postJson("/jobs/batch", "[").statusCode()).isEqualTo(400);
    }

    @Test
    void aReplayedBatchReturnsTheSameJobsAndCreatesNothing() {
        String batch = "[" + withKey(mine(CsvJobs.inline(CsvJobs.CLEAN)), "batch-key-1") + ","
                + withKey(mine(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS)), "batch-key-2") + "]";
        HttpResponse<String> first = api.postJson("/jobs/batch", batch);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(myJobs()).isEqualTo(2);
        assertThat(myEvents("job.queued")).isEqualTo(2);

        HttpResponse<String> replay = api.postJson("/jobs/batch", batch);

        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(202);
        assertThat(ids(replay)).isEqualTo(ids(first));
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(myJobs()).isEqualTo(2);
        assertThat(myEvents("job.queued")).isEqualTo(2);

        // a key of the batch, alongside a new item: the new one is created, the known one answered
        String mixed = "[" + withKey(mine(CsvJobs.inline(CsvJobs.CLEAN)), "batch-key-1") + ","
                + withKey(mine(CsvJobs.inline(CsvJobs.CLEAN)), "batch-key-3") + "]";
        HttpResponse<String> partly = api.postJson("/jobs/batch", mixed);
        assertThat(partly.statusCode()).as(partly.body()).isEqualTo(202);
        assertThat(ids(partly).get(0)).isEqualTo(ids(first).get(0));
        assertThat(myJobs()).isEqualTo(3);
    }

    @Test
    void aKeyUsedForADifferentRequestIs409ForThatItemAndNothingIsCreated() {
        api.submit(CsvJobs.inline(CsvJobs.CLEAN), "Idempotency-Key", "batch-key-used");

        HttpResponse<String> response = api.postJson("/jobs/batch", "["
                + withKey(mine(CsvJobs.inline(CsvJobs.CLEAN)), "batch-key-new") + ","
                + withKey(mine(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS)), "batch-key-used") + "]");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
        JsonNode errors = Api.json(response).get("errors");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("index").asInt()).isEqualTo(1);
        assertThat(errors.get(0).get("errors").toString()).contains("already used for a different request");
        assertThat(myJobs()).isZero();
    }

    @Test
    void theSameKeyTwiceInOneBatchIsTheLaterItemsError() {
        HttpResponse<String> response = api.postJson("/jobs/batch", "["
                + withKey(mine(CsvJobs.inline(CsvJobs.CLEAN)), "batch-key-twice") + ","
                + withKey(mine(CsvJobs.inline(CsvJobs.CLEAN)), "batch-key-twice") + "]");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(Api.json(response).get("errors").get(0).get("index").asInt()).isEqualTo(1);
        assertThat(myJobs()).isZero();
    }

    @Test
    void aReaderKeyIs403AndOnlyAnAdminNamesAnotherTenant() {
        String batch = "[" + CsvJobs.inline(CsvJobs.CLEAN) + "]";
        Api reader = api.as(api.newKey("default", "reader"));
        assertThat(reader.postJson("/jobs/batch", batch).statusCode()).isEqualTo(403);

        Api submitter = api.as(api.newKey("acme-batch", "submitter"));
        assertThat(submitter.postJson("/jobs/batch", batch, "X-Tenant-Id", "globex-batch").statusCode())
                .isEqualTo(403);
        HttpResponse<String> own = submitter.postJson("/jobs/batch", batch);
        assertThat(own.statusCode()).as(own.body()).isEqualTo(202);
        assertThat(tenantOf(ids(own).get(0))).isEqualTo("acme-batch");

        HttpResponse<String> asAdmin = api.postJson("/jobs/batch", batch, "X-Tenant-Id", "globex-batch");
        assertThat(asAdmin.statusCode()).as(asAdmin.body()).isEqualTo(202);
        assertThat(tenantOf(ids(asAdmin).get(0))).isEqualTo("globex-batch");
    }

    private String tenantOf(String jobId) {
        return jdbc.queryForObject("SELECT tenant_id FROM jobs WHERE job_id = ?", String.class, jobId);
    }

    /** The item, tagged as this test's. */
    private String mine(String item) {
        return withCorrelation(item, tag);
    }

    /** The jobs of the items this test tagged. */
    private long myJobs() {
        return jdbc.queryForObject("SELECT count(*) FROM jobs WHERE correlation_id = ?", Long.class, tag);
    }

    /** The events of a type of the jobs of the items this test tagged. */
    private long myEvents(String type) {
        return jdbc.queryForObject("SELECT count(*) FROM job_events WHERE event_type = ? "
                + "AND payload->>'correlation_id' = ?", Long.class, type, tag);
    }

    private static List<String> ids(HttpResponse<String> response) {
        List<String> ids = new ArrayList<>();
        Api.json(response).get("jobs").forEach(job -> ids.add(job.get("job_id").asText()));
        return ids;
    }

    private static String withKey(String job, String key) {
        return with(job, "idempotency_key", key);
    }

    private static String withCorrelation(String job, String id) {
        return with(job, "correlation_id", id);
    }

    private static String with(String job, String field, String value) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(job);
            node.put(field, value);
            return node.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
