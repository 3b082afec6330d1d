package dev.conveyor;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.ServiceProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service as the README runs it: the packaged application started in its own process from the project
 * directory with no DB_URL (so on the embedded PostgreSQL and the memory backend), a job posted and read
 * back, then a restart on the same data directory that still knows the job.
 */
@Tag("slow") // starts the packaged jar as a process
class ServiceSmokeIT {

    @Test
    void runsAJobOnTheEmbeddedDefaultAndKeepsItAcrossARestart() throws Exception {
        Path work = Files.createTempDirectory("conveyor-smoke");
        Map<String, String> env = Map.of("DATA_DIR", work.resolve("data").toString(),
                "INBOX_DIR", work.resolve("inbox").toString());
        int port = ServiceProcess.freePort();
        String jobId;
        try (ServiceProcess service = ServiceProcess.start("smoke-first", port, ServiceProcess.JAR, null, env)) {
            Api api = service.api();
            HttpResponse<String> accepted = api.postJson("/jobs", CsvJobs.inline(CsvJobs.TWO_BAD_ROWS));
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            jobId = Api.json(accepted).get("job_id").asText();
            long posted = System.nanoTime();
            JsonNode job = api.awaitFinished(jobId, Duration.ofSeconds(60));
            System.out.printf("smoke: POST to %s observed in %d ms (created_at %s, completed_at %s)%n",
                    job.get("status").asText(), (System.nanoTime() - posted) / 1_000_000,
                    job.get("created_at").asText(), job.get("completed_at").asText());
            assertThat(job.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
            assertThat(job.get("result").get("valid_rows").asLong()).isEqualTo(3);
            assertThat(job.get("result").get("error_rows").asLong()).isEqualTo(2);
            assertThat(work.resolve("data/postgres")).isDirectory();
            assertThat(service.stop()).as("stops on SIGTERM").isTrue();
        }

        try (ServiceProcess restarted = ServiceProcess.start("smoke-second", port, ServiceProcess.JAR, null, env)) {
            assertThat(restarted.api().job(jobId).get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        }
    }
}
