package dev.conveyor.intake;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.stream.Stream;

import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.GeneratedCsv;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** An upload over conveyor.intake.max-csv-bytes is refused with 413 and leaves no file and no job. */
@Tag("slow") // a Spring context of its own (a small upload limit)
@ConveyorIntegrationTest
@TestPropertySource(properties = "conveyor.intake.max-csv-bytes=100000")
class CsvUploadLimitTest extends RunningServiceTest {

    @Test
    void anUploadOverTheLimitIs413AndLeavesNothingBehind() throws IOException {
        long jobsBefore = jdbc.queryForObject("SELECT count(*) FROM jobs", Long.class);
        long filesBefore = uploadedFiles();
        HttpResponse<String> response = api.postCsv("/jobs/csv?marketplace=acme&category=toys",
                () -> new GeneratedCsv(20_000, 0));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(Api.json(response).get("detail").asText()).contains("larger than the limit of 100000 bytes");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs", Long.class)).isEqualTo(jobsBefore);
        assertThat(uploadedFiles()).isEqualTo(filesBefore);
    }

    private long uploadedFiles() throws IOException {
        java.nio.file.Path uploads = properties.dataDir().resolve("tenants/default/uploads");
        if (!Files.isDirectory(uploads)) {
            return 0;
        }
        try (Stream<java.nio.file.Path> files = Files.list(uploads)) {
            return files.count();
        }
    }

    @Test
    void anUploadUnderTheLimitIsAccepted() {
        HttpResponse<String> response = api.postCsv("/jobs/csv?marketplace=acme&category=toys",
                () -> new GeneratedCsv(100, 0));

        assertThat(response.statusCode()).isEqualTo(202);
    }
}
