package dev.conveyor.intake;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.GeneratedCsv;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /jobs/csv streams the body to a file and validates it from there. */
@ConveyorIntegrationTest
class CsvUploadTest extends RunningServiceTest {

    @Test
    void aTwoHundredThousandRowUploadIsValidatedWithExactCounts() {
        long rows = 200_000;
        HttpResponse<String> response = api.postCsv("/jobs/csv?marketplace=acme&category=toys&region=br",
                () -> new GeneratedCsv(rows, 50));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String jobId = Api.json(response).get("job_id").asText();

        JsonNode job = api.awaitFinished(jobId, Duration.ofSeconds(120));

        assertThat(job.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(job.get("source").asText()).isEqualTo("csv_upload");
        assertThat(job.get("region").asText()).isEqualTo("br");
        JsonNode result = job.get("result");
        long bad = GeneratedCsv.badRows(rows, 50);
        assertThat(result.get("total_rows").asLong()).isEqualTo(rows);
        assertThat(result.get("error_rows").asLong()).isEqualTo(bad);
        assertThat(result.get("valid_rows").asLong()).isEqualTo(rows - bad);
        assertThat(result.get("errors_by_field").get("price").asLong()).isEqualTo(bad);
        long ms = Math.max(1, result.get("processing_time_ms").asLong());
        System.out.printf("200,000-row CSV validated in %d ms: %,d rows/s (upload to SUCCESS: %s → %s)%n", ms,
                rows * 1000 / ms, job.get("created_at").asText(), job.get("completed_at").asText());
    }

    @Test
    void uploadParametersAreCheckedBeforeAnythingIsStored() throws IOException {
        long filesBefore = uploadedFiles();
        HttpResponse<String> noCategory = api.postCsv("/jobs/csv?marketplace=acme",
                () -> new ByteArrayInputStream("sku,title,price,quantity\n".getBytes()));
        assertThat(noCategory.statusCode()).isEqualTo(422);
        assertThat(Api.json(noCategory).get("detail").asText()).contains("'category' is required");

        HttpResponse<String> hostile = api.postCsv("/jobs/csv?marketplace=..&category=toys",
                () -> new ByteArrayInputStream("sku,title,price,quantity\n".getBytes()));
        assertThat(hostile.statusCode()).isEqualTo(422);

        HttpResponse<String> json = api.post("/jobs/csv?marketplace=acme&category=toys", "application/json",
                java.net.http.HttpRequest.BodyPublishers.ofString("{}"));
        assertThat(json.statusCode()).isEqualTo(415);

        HttpResponse<String> empty = api.postCsv("/jobs/csv?marketplace=acme&category=toys",
                () -> new ByteArrayInputStream(new byte[0]));
        assertThat(empty.statusCode()).isEqualTo(422);
        assertThat(Api.json(empty).get("detail").asText()).contains("empty");

        assertThat(uploadedFiles()).isEqualTo(filesBefore);
    }

    @Test
    void aBinaryUploadIsAcceptedButItsJobFailsAsNotUtf8() {
        byte[] junk = {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0xc3, 0x28, '\n'};
        HttpResponse<String> response = api.postCsv("/jobs/csv?marketplace=acme&category=toys",
                () -> new ByteArrayInputStream(junk));
        assertThat(response.statusCode()).isEqualTo(202);

        JsonNode job = api.awaitFinished(Api.json(response).get("job_id").asText());

        assertThat(job.get("status").asText()).isEqualTo("FAILED");
        assertThat(job.get("error_message").asText()).contains("not valid UTF-8");
    }

    private long uploadedFiles() throws IOException {
        Path dir = properties.dataDir().resolve("tenants/default/uploads");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
