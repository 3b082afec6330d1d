package dev.conveyor.intake;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad requests get a precise application/problem+json answer and leave nothing behind. */
@ConveyorIntegrationTest
class ApiRefusalsTest extends RunningServiceTest {

    @Test
    void malformedJsonIs400WithWhereItBroke() {
        JsonNode problem = expectProblem(api.postJson("/jobs", "{\"type\": \"csv_validation\", "), 400);
        assertThat(problem.get("detail").asText()).startsWith("malformed JSON at line 1");
    }

    @Test
    void aJsonValueThatIsNotAnObjectIs400() {
        expectProblem(api.postJson("/jobs", "[1,2]"), 400);
        expectProblem(api.postJson("/jobs", ""), 400);
    }

    @Test
    void aFormBodyIs415AndSaysWhatToSend() {
        JsonNode problem = expectProblem(api.post("/jobs", "application/x-www-form-urlencoded",
                HttpRequest.BodyPublishers.ofString("{\"type\":\"csv_validation\"}")), 415);
        assertThat(problem.get("detail").asText()).contains("Content-Type: application/json");
    }

    @Test
    void anUnknownTypeIs422AndListsTheKnownOnes() {
        JsonNode problem = expectProblem(api.postJson("/jobs", "{\"type\":\"nope\",\"payload\":{}}"), 422);
        assertThat(problem.get("detail").asText()).contains("unknown job type 'nope'").contains("csv_validation");
    }

    @Test
    void aPayloadThatFailsItsSchemaIs422WithEachViolation() {
        JsonNode problem = expectProblem(api.postJson("/jobs",
                "{\"type\":\"csv_validation\",\"payload\":{\"marketplace\":\"acme\",\"csv\":\"x\",\"extra\":1}}"),
                422);
        assertThat(problem.get("errors").toString()).contains("category").contains("extra");
    }

    @Test
    void missingTypeOrPayloadAndIllTypedFieldsAre422() {
        assertThat(expectProblem(api.postJson("/jobs", "{\"payload\":{}}"), 422).get("detail").asText())
                .contains("'type' is required");
        assertThat(expectProblem(api.postJson("/jobs", "{\"type\":\"csv_validation\"}"), 422)
                .get("detail").asText()).contains("'payload' is required");
        assertThat(expectProblem(api.postJson("/jobs", "{\"type\":7,\"payload\":{}}"), 422)
                .get("detail").asText()).contains("'type' must be a string");
        assertThat(expectProblem(api.postJson("/jobs", "{\"type\":\"csv_validation\",\"payload\":{},\"prio\":1}"),
                422).get("detail").asText()).contains("unknown field 'prio'");
    }

    @Test
    void aBadPriorityRunAtOrParentIs422() {
        String valid = CsvJobs.inline(CsvJobs.CLEAN);
        assertThat(expectProblem(api.postJson("/jobs", valid.replaceFirst("\\{", "{\"priority\":\"urgent\",")),
                422).get("detail").asText()).contains("'priority' must be one of high, normal, low");
        assertThat(expectProblem(api.postJson("/jobs", valid.replaceFirst("\\{", "{\"run_at\":\"tomorrow\",")),
                422).get("detail").asText()).contains("'run_at' must be an ISO-8601 date-time");
        assertThat(expectProblem(api.postJson("/jobs", valid.replaceFirst("\\{",
                "{\"parent_job_id\":\"job_0123456789abcdef0123456789abcdef\",")), 422).get("detail").asText())
                .contains("is not a job of this tenant");
    }

    @Test
    void aFileOutsideTheDataDirectoryIs422() {
        JsonNode problem = expectProblem(api.postJson("/jobs", "{\"type\":\"csv_validation\",\"payload\":"
                + "{\"marketplace\":\"acme\",\"category\":\"toys\",\"file\":\"../../etc/passwd\"}}"), 422);
        assertThat(problem.get("detail").asText()).contains("inside the data directory");
        expectProblem(api.postJson("/jobs", "{\"type\":\"csv_validation\",\"payload\":"
                + "{\"marketplace\":\"acme\",\"category\":\"toys\",\"file\":\"uploads/none.csv\"}}"), 422);
    }

    @Test
    void aBodyOverTheLimitIs413() {
        String huge = CsvJobs.inline("sku,title,price,quantity\n" + "A,B,1,1\n".repeat(140_000));
        assertThat(huge.length()).isGreaterThan(1_048_576);
        JsonNode problem = expectProblem(api.postJson("/jobs", huge), 413);
        assertThat(problem.get("detail").asText()).contains("larger than the limit of 1048576 bytes");
    }

    @Test
    void anUnknownOrMalformedJobIdIs404() {
        expectProblem(api.get("/jobs/job_0123456789abcdef0123456789abcdef"), 404);
        expectProblem(api.get("/jobs/not-a-job-id"), 404);
        expectProblem(api.get("/jobs/job_0123456789abcdef0123456789abcdef/report"), 404);
    }

    @Test
    void anotherTenantsJobIs404() {
        String jobId = api.submit(CsvJobs.inline(CsvJobs.CLEAN), "X-Tenant-Id", "alpha");
        assertThat(api.get("/jobs/" + jobId, "X-Tenant-Id", "alpha").statusCode()).isEqualTo(200);
        expectProblem(api.get("/jobs/" + jobId, "X-Tenant-Id", "beta"), 404);
        expectProblem(api.get("/jobs/" + jobId), 404);
    }

    @Test
    void badListParametersAre400() {
        expectProblem(api.get("/jobs?status=DONE"), 400);
        expectProblem(api.get("/jobs?limit=0"), 400);
        expectProblem(api.get("/jobs?limit=abc"), 400);
        expectProblem(api.get("/jobs?after=x"), 400);
    }

    @Test
    void bothListsRefuseABadLimitWithTheSameWords() {
        String jobs = expectProblem(api.get("/jobs?limit=501"), 400).get("detail").asText();
        String deadLetters = expectProblem(api.get("/dead-letters?limit=abc"), 400).get("detail").asText();
        assertThat(jobs).isEqualTo(deadLetters).isEqualTo("'limit' must be an integer from 1 to 500");
        assertThat(api.get("/dead-letters?limit=500").statusCode()).isEqualTo(200);
        assertThat(expectProblem(api.get("/dead-letters?since=yesterday"), 400).get("detail").asText())
                .contains("'since'").contains("ISO-8601");
    }

    @Test
    void refusalsOfTheHttpLayerHaveTheSameShapeAsTheApis() {
        JsonNode noOperation = expectProblem(api.get("/jobs/job_0123456789abcdef0123456789abcdef/nothing"), 404);
        assertThat(noOperation.get("type").asText()).isEqualTo("about:blank");
        assertThat(noOperation.get("instance").asText())
                .isEqualTo("/jobs/job_0123456789abcdef0123456789abcdef/nothing");
        expectProblem(api.send("PUT", "/jobs", HttpRequest.BodyPublishers.noBody()), 405);
        JsonNode wrongType = expectProblem(api.post("/jobs/batch", "text/csv",
                HttpRequest.BodyPublishers.ofString("sku\n")), 415);
        assertThat(wrongType.get("detail").asText()).contains("application/json").contains("application/x-ndjson")
                .contains("was 'text/csv'");
        assertThat(expectProblem(api.post("/jobs", null, HttpRequest.BodyPublishers.ofString("{}")), 415)
                .get("detail").asText()).isEqualTo("send the body with Content-Type: application/json or "
                        + "application/*+json (was none)");
        JsonNode form = expectProblem(api.post("/jobs", "application/x-www-form-urlencoded",
                HttpRequest.BodyPublishers.ofString("a=b")), 415);
        assertThat(form.get("instance").asText()).isEqualTo("/jobs");
    }

    @Test
    void refusedRequestsCreateNoJob() {
        long before = jobCount();
        api.postJson("/jobs", "{bad");
        api.postJson("/jobs", "{\"type\":\"nope\",\"payload\":{}}");
        api.postJson("/jobs", "{\"type\":\"csv_validation\",\"payload\":{\"marketplace\":\"acme\"}}");
        api.postCsv("/jobs/csv?category=toys", () -> new java.io.ByteArrayInputStream("sku\n".getBytes()));
        assertThat(jobCount()).isEqualTo(before);
    }

    /**
     * The jobs requests made: this class shares its service with others, whose chains, schedules and batch
     * callbacks may still be making jobs of other sources while it runs.
     */
    private long jobCount() {
        return jdbc.queryForObject("SELECT count(*) FROM jobs WHERE source IN ('api', 'csv_upload')", Long.class);
    }

    private static JsonNode expectProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = Api.json(response);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
        return problem;
    }
}
