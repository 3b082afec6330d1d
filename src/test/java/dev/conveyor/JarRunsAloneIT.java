package dev.conveyor;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ServiceProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java -jar target/conveyor.jar} started from an empty folder, with no DB_URL, ROUTES_DIR or SCHEMAS_DIR:
 * the configuration, routes, schemas and rule sets it needs all come from the jar, the embedded PostgreSQL
 * starts under ./data, and the README's first job runs through to its documented end.
 */
@Tag("slow") // starts the packaged jar in processes of its own
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

    /**
     * ROUTES_DIR and SCHEMAS_DIR, when set, replace what the jar carries: a route only the folder has runs, and a
     * payload schema of the folder's decides what is accepted.
     */
    @Test
    void routesAndSchemasComeFromTheFoldersTheVariablesName(@TempDir Path emptyFolder, @TempDir Path config)
            throws Exception {
        Path routes = copy(Path.of("routes"), config.resolve("routes"));
        Files.writeString(routes.resolve("only-here.camel.yaml"), """
                - route:
                    id: only-in-routes-dir
                    from:
                      uri: timer:only-in-routes-dir
                      parameters:
                        repeatCount: 1
                      steps:
                        - log: "loaded from ROUTES_DIR"
                """);
        Path schemas = copy(Path.of("schemas"), config.resolve("schemas"));
        Path csvSchema = schemas.resolve("jobs/csv_validation-v1.json");
        // this folder's csv_validation also requires "region", which the README's job does not give
        Files.writeString(csvSchema, Files.readString(csvSchema).replaceFirst("\"required\": \\[",
                "\"required\": [\"region\", "));
        assertThat(Files.readString(csvSchema)).contains("\"required\": [\"region\", ");

        int port = ServiceProcess.freePort();
        try (ServiceProcess service = ServiceProcess.start("alone-dirs", port, ServiceProcess.JAR, emptyFolder,
                Map.of("ROUTES_DIR", "file:" + routes, "SCHEMAS_DIR", schemas.toString()))) {
            Api api = service.api();
            assertThat(api.get("/actuator/camelroutes").body()).contains("only-in-routes-dir");
            HttpResponse<String> refused = api.postJson("/jobs", README_JOB);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
            assertThat(refused.body()).contains("region");
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return to;
    }
}
