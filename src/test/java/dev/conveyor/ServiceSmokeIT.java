package dev.conveyor;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.CsvJobs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service as the README runs it: the packaged application started in its own process from the project
 * directory with no DB_URL (so on the embedded PostgreSQL and the memory backend), a job posted and read
 * back, then a restart on the same data directory that still knows the job.
 */
class ServiceSmokeIT {

    private Process service;

    @AfterEach
    void stop() throws InterruptedException {
        if (service != null && service.isAlive()) {
            service.destroy();
            if (!service.waitFor(60, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
    }

    @Test
    void runsAJobOnTheEmbeddedDefaultAndKeepsItAcrossARestart() throws Exception {
        Path dataDir = Files.createTempDirectory("conveyor-smoke");
        int port = freePort();
        Api api = new Api(port);

        service = start(dataDir, port, "first");
        awaitHealthy(api);
        HttpResponse<String> accepted = api.postJson("/jobs", CsvJobs.inline(CsvJobs.TWO_BAD_ROWS));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String jobId = Api.json(accepted).get("job_id").asText();
        long posted = System.nanoTime();
        JsonNode job = api.awaitFinished(jobId, Duration.ofSeconds(60));
        System.out.printf("smoke: POST to %s in %d ms (poll-observed; %s → %s in the job)%n",
                job.get("status").asText(), (System.nanoTime() - posted) / 1_000_000,
                job.get("created_at").asText(), job.get("completed_at").asText());
        assertThat(job.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(job.get("result").get("valid_rows").asLong()).isEqualTo(3);
        assertThat(job.get("result").get("error_rows").asLong()).isEqualTo(2);
        assertThat(dataDir.resolve("postgres")).isDirectory();

        service.destroy();
        assertThat(service.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();

        service = start(dataDir, port, "second");
        awaitHealthy(api);
        assertThat(api.job(jobId).get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
    }

    private static Process start(Path dataDir, int port, String name) throws IOException {
        Path jar = Path.of("target", "conveyor.jar").toAbsolutePath();
        assertThat(jar).exists();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx512m", "-jar", jar.toString()))
                .directory(new File(".").getAbsoluteFile())
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", "smoke-service-" + name + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.remove("DB_URL");
        env.remove("DB_USER");
        env.remove("DB_PASSWORD");
        env.put("PORT", Integer.toString(port));
        env.put("DATA_DIR", dataDir.toString());
        return builder.start();
    }

    private void awaitHealthy(Api api) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    assertThat(service.isAlive()).as("service process is running (see target/smoke-service-*.log)")
                            .isTrue();
                    return api.get("/actuator/health").statusCode() == 200;
                });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
