package dev.conveyor;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java -jar target/conveyor.jar} started from an empty folder, with no DB_URL, ROUTES_DIR or SCHEMAS_DIR:
 * the configuration, routes, schemas and rule sets it needs all come from the jar, the embedded PostgreSQL
 * starts under ./data, and the README's first job runs through to its documented end.
 */
class JarRunsAloneIT {

    /** The README's curl example (with the admin key the environment gives the service). */
    private static final String README_JOB = """
            {"type": "csv_validation",
             "payload": {"marketplace": "mercado_livre", "category": "electronics",
                         "csv": "sku,title,price,quantity\\nSKU-001,Phone,199.90,5\\nSKU-002,,abc,-1\\n"}}""";

    @Test
    void theDefaultJarRunsAJobFromAnEmptyFolderOnTheEmbeddedDatabase(@TempDir Path emptyFolder) throws Exception {
        try (Stream<Path> files = Files.list(emptyFolder)) {
            assertThat(files).as("the working directory starts empty").isEmpty();
        }
        int port = ServiceProcess.freePort();
        try (ServiceProcess service = ServiceProcess.start("alone", port, ServiceProcess.JAR, emptyFolder,
                Map.of())) {
            Api api = service.api();
            HttpResponse<String> accepted = api.postJson("/jobs", README_JOB);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            String jobId = Api.json(accepted).get("job_id").asText();

            JsonNode job = api.awaitFinished(jobId, Duration.ofSeconds(60));

            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("PARTIAL_SUCCESS");
            assertThat(job.get("result").get("rule_set").asText()).isEqualTo("mercado_livre/electronics");
            assertThat(job.get("result").get("valid_rows").asLong()).isEqualTo(1);
            assertThat(job.get("result").get("error_rows").asLong()).isEqualTo(1);
            // the files it writes went to the folder it was started in: the embedded database among them
            assertThat(emptyFolder.resolve("data/postgres/postgresql.conf")).isRegularFile();
            assertThat(emptyFolder.resolve("routes")).doesNotExist();
            assertThat(emptyFolder.resolve("schemas")).doesNotExist();
            assertThat(emptyFolder.resolve("application.yaml")).doesNotExist();
            assertThat(service.stop()).as("stops on SIGTERM").isTrue();
        }
    }
}
