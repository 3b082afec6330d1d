package dev.conveyor.intake;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Uploads that break the reading limits end as jobs with the reason, and a failed validation keeps its report. */
@ConveyorIntegrationTest
class ParsingLimitsApiTest extends RunningServiceTest {

    private static final String HEADER = "sku,title,price,quantity\n";
    private static final String FIELD_REASON =
            "field 2 (title) is longer than 65536 characters (conveyor.validation.max-field-chars)";

    private String upload(String csv) {
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = api.postCsv("/jobs/csv?marketplace=acme&category=toys",
                () -> new ByteArrayInputStream(bytes));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return Api.json(response).get("job_id").asText();
    }

    @Test
    void anUploadWithAOneMegabyteFieldEndsWithThatRowAsAnErrorWithItsReason() {
        String jobId = upload(HEADER
                + "SKU-1,Phone,1.00,1\n"
                + "SKU-2,\"" + "x".repeat(1024 * 1024) + "\",2.00,2\n"
                + "SKU-3,Case,3.00,3\n");

        JsonNode job = api.awaitFinished(jobId, Duration.ofSeconds(60));

        assertThat(job.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        JsonNode result = job.get("result");
        assertThat(result.get("total_rows").asLong()).isEqualTo(3);
        assertThat(result.get("valid_rows").asLong()).isEqualTo(2);
        assertThat(result.get("first_errors").get(0).get("row").asLong()).isEqualTo(2);
        assertThat(result.get("first_errors").get(0).get("message").asText()).isEqualTo(FIELD_REASON);
        HttpResponse<String> report = api.get("/jobs/" + jobId + "/report");
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.body()).contains(FIELD_REASON).hasSizeLessThan(1000);
    }

    @Test
    void aValidationThatFailsOnItsRowsKeepsItsResultUrlAndItsReportIsServed() {
        String jobId = upload(HEADER
                + "SKU-1,\"" + "x".repeat(70_000) + "\",1.00,1\n"
                + "SKU-2,Phone," + "9".repeat(600) + ",1\n"
                + "=cmd|' /C calc'!A0,Case,abc,1\n");

        JsonNode job = api.awaitFinished(jobId, Duration.ofSeconds(60));

        assertThat(job.get("status").asText()).isEqualTo("FAILED");
        assertThat(job.get("error_message").asText()).startsWith("all 3 rows failed validation");
        assertThat(job.get("result_url").asText()).isEqualTo("/jobs/" + jobId + "/report");
        JsonNode result = job.get("result");
        assertThat(result.get("total_rows").asLong()).isEqualTo(3);
        assertThat(result.get("error_rows").asLong()).isEqualTo(3);
        assertThat(result.get("first_errors").get(1).get("message").asText())
                .isEqualTo("price: not a number of at most 40 digits (600 characters, "
                        + "conveyor.validation.max-number-digits)");

        HttpResponse<String> report = api.get(job.get("result_url").asText());
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.body().lines().toList()).hasSize(4)
                .first().isEqualTo("row,sku,title,price,quantity,errors");
        assertThat(report.body()).contains(FIELD_REASON, "not a number of at most 40 digits",
                "'=cmd|' /C calc'!A0");
    }
}
