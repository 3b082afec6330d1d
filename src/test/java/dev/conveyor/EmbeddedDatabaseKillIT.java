package dev.conveyor;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.conveyor.support.Api;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.ServiceProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of the service leaves its embedded PostgreSQL running (a process of its own) and holding the data
 * directory and the port. The next start on the same DATA_DIR and port stops that server, says so in one WARN
 * line, and comes up with the data it had.
 */
@Tag("slow") // starts and kills service processes
class EmbeddedDatabaseKillIT {

    @Test
    void aStartAfterKillDashNineStopsTheLeftOverPostgresAndKeepsTheJobs() throws Exception {
        Path work = Files.createTempDirectory("conveyor-kill9");
        Path cluster = work.resolve("data").resolve("postgres");
        // one fixed database port for both starts, as with the default 5433: the left-over server holds it
        Map<String, String> env = Map.of("DATA_DIR", work.resolve("data").toString(),
                "INBOX_DIR", work.resolve("inbox").toString(),
                "DB_EMBEDDED_PORT", Integer.toString(ServiceProcess.freePort()),
                "DB_EMBEDDED_FAST", "false");
        int port = ServiceProcess.freePort();

        String jobId;
        long postmaster;
        try (ServiceProcess victim = ServiceProcess.start("kill9-victim", port, env)) {
            HttpResponse<String> accepted = victim.api().postJson("/jobs", CsvJobs.inline(CsvJobs.TWO_BAD_ROWS));
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            jobId = Api.json(accepted).get("job_id").asText();
            postmaster = Long.parseLong(Files.readAllLines(cluster.resolve("postmaster.pid")).get(0).trim());

            victim.kill();                                               // SIGKILL to the java process only
        }
        Optional<ProcessHandle> leftOver = ProcessHandle.of(postmaster);
        assertThat(leftOver).as("the killed service's PostgreSQL outlives it").isPresent();
        assertThat(leftOver.get().isAlive()).isTrue();

        try (ServiceProcess restarted = ServiceProcess.start("kill9-restarted", port, env)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> restarted.api().get("/actuator/health/readiness").statusCode() == 200);

            assertThat(restarted.api().job(jobId).get("job_id").asText()).isEqualTo(jobId);
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false))
                    .as("the left-over server was stopped").isFalse();
            List<String> warnings = Files.readAllLines(ServiceProcess.log("kill9-restarted")).stream()
                    .filter(line -> line.contains(" WARN ")).toList();
            assertThat(warnings).as("exactly one WARN line during the start").hasSize(1);
            assertThat(warnings.get(0)).contains("Stopped PostgreSQL pid " + postmaster)
                    .contains(cluster.toAbsolutePath().toString()).contains("fast shutdown");
        }
    }
}
