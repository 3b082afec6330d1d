package dev.conveyor.intake;

import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.MutableClock;
import dev.conveyor.support.RouteSignals;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** A job submitted over HTTP goes through the table, dispatcher, router, lane and worker to its end. */
@ConveyorIntegrationTest
class JobLifecycleEndToEndTest extends RunningServiceTest {

    @Autowired
    CamelContext camel;

    @Autowired
    MutableClock clock;

    @Test
    void postedJobIsAcceptedAsQueuedThenFinishesAsSuccessWithItsCounts() {
        HttpResponse<String> response = api.postJson("/jobs", CsvJobs.inline(CsvJobs.CLEAN));

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode accepted = Api.json(response);
        assertThat(accepted.get("job_id").asText()).matches("job_[0-9a-f]{32}");
        assertThat(accepted.get("status").asText()).isEqualTo("QUEUED");
        assertThat(Instant.parse(accepted.get("created_at").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(response.headers().firstValue("Location")).hasValue("/jobs/" + accepted.get("job_id").asText());

        JsonNode job = api.awaitFinished(accepted.get("job_id").asText());
        assertThat(job.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(job.get("progress").asInt()).isEqualTo(100);
        assertThat(job.get("type").asText()).isEqualTo("csv_validation");
        assertThat(job.get("result").get("total_rows").asLong()).isEqualTo(3);
        assertThat(job.get("result").get("valid_rows").asLong()).isEqualTo(3);
        assertThat(job.get("result").get("error_rows").asLong()).isZero();
        assertThat(job.get("result").get("payload_size_bytes").asLong()).isEqualTo(CsvJobs.CLEAN.length());
        assertThat(job.get("result").has("processing_time_ms")).isTrue();
        assertThat(job.get("result_url").isNull()).isTrue();
        assertThat(job.get("errors").isArray()).isTrue();
        for (String field : List.of("created_at", "updated_at", "started_at", "completed_at")) {
            assertThat(job.get(field).isNull()).as(field).isFalse();
        }
        assertThat(job.get("lane").asText()).isEqualTo("normal");
    }

    @Test
    void everyLifecycleStepIsRecordedAsAnEventInOrder() {
        String jobId = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        api.awaitFinished(jobId);

        List<String> events = jdbc.queryForList(
                "SELECT event_type FROM job_events WHERE job_id = ? ORDER BY created_at", String.class, jobId);
        assertThat(events).containsExactly("job.queued", "job.started", "job.completed");
        String completed = jdbc.queryForObject(
                "SELECT payload::text FROM job_events WHERE job_id = ? AND event_type = 'job.completed'",
                String.class, jobId);
        JsonNode event = Api.json(completed);
        assertThat(event.get("metrics").get("total_rows").asLong()).isEqualTo(3);
        assertThat(event.get("metrics").has("latency_ms")).isTrue();
        assertThat(event.get("partition_key").asText()).isEqualTo("acme:toys");
        assertThat(event.get("job_id").asText()).isEqualTo(jobId);
    }

    @Test
    void theEventsEndpointListsTheLifecycleInOrderUnderOneExecutionId() {
        String jobId = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        api.awaitFinished(jobId);

        HttpResponse<String> response = api.get("/jobs/" + jobId + "/events");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode events = Api.json(response).get("events");
        assertThat(events).extracting(event -> event.get("event_type").asText())
                .containsExactly("job.queued", "job.started", "job.completed");
        assertThat(events).extracting(event -> event.get("job_id").asText()).containsOnly(jobId);
        assertThat(events.get(1).get("job_execution_id").asText())
                .isEqualTo(events.get(2).get("job_execution_id").asText());
        assertThat(api.get("/jobs/job_0123456789abcdef0123456789abcdef/events").statusCode()).isEqualTo(404);
        assertThat(api.get("/jobs/" + jobId + "/events", "X-Tenant-Id", "someone-else").statusCode())
                .isEqualTo(404);
    }

    @Test
    void rowsThatBreakTheRulesMakeAPartialSuccessWithCountsAndAnErrorReport() {
        String jobId = api.submit(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS));

        JsonNode job = api.awaitFinished(jobId);

        assertThat(job.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        JsonNode result = job.get("result");
        assertThat(result.get("total_rows").asLong()).isEqualTo(5);
        assertThat(result.get("valid_rows").asLong()).isEqualTo(3);
        assertThat(result.get("error_rows").asLong()).isEqualTo(2);
        assertThat(result.get("errors_by_field").get("price").asLong()).isEqualTo(1);
        assertThat(result.get("errors_by_field").get("title").asLong()).isEqualTo(1);
        assertThat(result.get("errors_by_field").get("quantity").asLong()).isEqualTo(1);
        assertThat(result.get("first_errors").get(0).get("row").asLong()).isEqualTo(2);
        assertThat(job.get("result_url").asText()).isEqualTo("/jobs/" + jobId + "/report");

        HttpResponse<String> report = api.get(job.get("result_url").asText());
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/csv"));
        assertThat(report.body().lines().toList()).hasSize(3)
                .first().isEqualTo("row,sku,title,price,quantity,errors");
        assertThat(report.body()).contains("SKU-2", "is not a decimal", "SKU-3", "title: is required");
    }

    @Test
    void aWrongHeaderFailsTheJobWithAMessageThatNamesTheMissingColumn() {
        String jobId = api.submit(CsvJobs.inline("sku,title,cost,quantity\nA,B,1,2\n"));

        JsonNode job = api.awaitFinished(jobId);

        assertThat(job.get("status").asText()).isEqualTo("FAILED");
        assertThat(job.get("error_message").asText()).contains("missing column(s) price")
                .contains("sku,title,cost,quantity");
        assertThat(job.get("errors")).hasSize(1);
        assertThat(job.get("errors").get(0).get("attempt").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForList("SELECT event_type FROM job_events WHERE job_id = ? ORDER BY created_at",
                String.class, jobId)).containsExactly("job.queued", "job.started", "job.failed");
    }

    @Test
    void aFileWithOnlyBadRowsFails() {
        String jobId = api.submit(CsvJobs.inline("sku,title,price,quantity\nA,B,x,1\nC,D,-1,1\n"));

        JsonNode job = api.awaitFinished(jobId);

        assertThat(job.get("status").asText()).isEqualTo("FAILED");
        assertThat(job.get("error_message").asText()).contains("all 2 rows failed validation");
        assertThat(job.get("result").get("error_rows").asLong()).isEqualTo(2);
    }

    @Test
    void aJobDueInTheFutureWaitsUntilItsRunAt() {
        // due in 50 s: within a lease (60 s), so moving the shared service's clock there leaves its leases alone
        Duration wait = Duration.ofSeconds(50);
        Instant runAt = Instant.now().plus(wait);
        String body = CsvJobs.inline(CsvJobs.CLEAN).replaceFirst("\\{", "{\"run_at\":\"" + runAt + "\",");
        NotifyBuilder passWhileWaiting = RouteSignals.dispatcherPassAfterNow(camel);
        String jobId = api.submit(body);

        // a whole dispatcher pass while the job is not yet due leaves it in the table
        assertThat(passWhileWaiting.matches(10, TimeUnit.SECONDS)).as("the dispatcher ran").isTrue();
        assertThat(api.job(jobId).get("status").asText()).isEqualTo("QUEUED");
        assertThat(jdbc.queryForObject("SELECT dispatched_at IS NULL FROM jobs WHERE job_id = ?", Boolean.class,
                jobId)).as("not taken for a lane").isTrue();

        // its time comes: the service's clock moves to it
        clock.advance(wait);
        JsonNode job = api.awaitFinished(jobId);
        assertThat(job.get("status").asText()).isEqualTo("SUCCESS");
        Instant dispatched = jdbc.queryForObject("SELECT dispatched_at FROM jobs WHERE job_id = ?", Timestamp.class,
                jobId).toInstant();
        assertThat(dispatched).as("taken for a lane at its run_at by the service's clock").isAfterOrEqualTo(runAt);
    }

    @Test
    void priorityAndSizePickTheLane() {
        String high = api.submit(CsvJobs.inline(CsvJobs.CLEAN).replaceFirst("\\{", "{\"priority\":\"high\","));
        String low = api.submit(CsvJobs.inline(CsvJobs.CLEAN).replaceFirst("\\{", "{\"priority\":\"low\","));
        byte[] bigCsv = ("sku,title,price,quantity\n" + "A,B,1,1\n".repeat(160_000)).getBytes();
        HttpResponse<String> upload = api.postCsv("/jobs/csv?marketplace=acme&category=toys",
                () -> new java.io.ByteArrayInputStream(bigCsv));
        assertThat(upload.statusCode()).isEqualTo(202);
        String big = Api.json(upload).get("job_id").asText();

        assertThat(api.awaitFinished(high).get("lane").asText()).isEqualTo("high");
        assertThat(api.awaitFinished(low).get("lane").asText()).isEqualTo("low");
        JsonNode bigJob = api.awaitFinished(big);
        assertThat(bigJob.get("lane").asText()).isEqualTo("bulk");
        assertThat(bigJob.get("payload_size_bytes").asLong()).isGreaterThan(1_048_576);
    }
}
