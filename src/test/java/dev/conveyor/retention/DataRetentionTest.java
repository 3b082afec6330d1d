package dev.conveyor.retention;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The data-retention route and its bean delete the uploads, imports and reports of jobs that finished more than
 * conveyor.retention.days (30) ago, and keep every file a job that is unfinished or finished recently still names.
 * Jobs are aged by moving their completed_at back 31 days in the table; the route runs every half second here.
 */
@Tag("slow") // a Spring context of its own (retention every 500 ms)
@ConveyorIntegrationTest
@TestPropertySource(properties = {
        "conveyor.bulk-import.allowed-dir=target/retention-allowed",
        "conveyor.retention.period-ms=500",
        "conveyor.retention.batch-size=2"}) // several batches per run, so the batching is exercised too
class DataRetentionTest extends RunningServiceTest {

    /** One row of three is bad: validations end PARTIAL_SUCCESS and leave an error report. */
    private static final String CSV = "sku,title,price,quantity\nDR-1,One,1.00,1\nDR-2,Two,2.00,2\nDR-3,,x,3\n";

    @Autowired
    DataRetention retention;

    @Autowired
    CamelContext camel;

    @Test
    void filesOfJobsThatFinishedBeforeTheRetentionAreDeletedAndRecentOnesKept() {
        String old = finishedUpload();
        String recent = finishedUpload();
        Path oldUpload = upload(old);
        Path recentUpload = upload(recent);
        assertThat(List.of(oldUpload, report(old), recentUpload, report(recent))).allMatch(Files::isRegularFile);

        age(old);
        retention.purge();

        assertThat(oldUpload).doesNotExist();
        assertThat(report(old)).doesNotExist();
        assertThat(recentUpload).isRegularFile();
        assertThat(report(recent)).isRegularFile();
    }

    @Test
    void aFileAnUnfinishedJobStillNamesIsKept() throws IOException {
        // an old bulk_import whose validation and load finished long ago, and one more child still waiting to run
        Path allowed = Files.createDirectories(Path.of("target/retention-allowed"));
        Files.writeString(allowed.resolve("retention.csv"), CSV);
        String importId = api.submit("{\"type\":\"bulk_import\",\"payload\":{\"file_url\":\""
                + allowed.resolve("retention.csv").toAbsolutePath().toUri() + "\",\"format\":\"csv\","
                + "\"marketplace\":\"retention\",\"category\":\"toys\"}}");
        List<JsonNode> chain = awaitChain(importId, 3);
        String validationId = chain.stream().filter(j -> j.get("type").asText().equals("csv_validation"))
                .findFirst().orElseThrow().get("job_id").asText();
        Path imported = properties.dataDir().resolve("tenants/default/imports/" + importId + ".csv");
        api.submit(later(validation("imports/" + importId + ".csv"), "\"parent_job_id\":\"" + importId + "\""));
        // an old upload, and an unfinished job (submitted long ago, still waiting) naming the same file
        String upload = finishedUpload();
        Path uploaded = upload(upload);
        String waiting = api.submit(later(validation(properties.dataDir().resolve("tenants/default")
                .relativize(uploaded).toString()), null));
        jdbc.update("UPDATE jobs SET created_at = now() - interval '40 days', updated_at = now() - interval '40 days'"
                + " WHERE job_id = ?", waiting);
        assertThat(List.of(imported, report(validationId), uploaded, report(upload))).allMatch(Files::isRegularFile);

        age(chain.get(0).get("job_id").asText(), chain.get(1).get("job_id").asText(),
                chain.get(2).get("job_id").asText(), upload); // the import, its validation and its load
        retention.purge();

        assertThat(imported).as("import named by the waiting child").isRegularFile();
        assertThat(report(validationId)).as("the old validation's own report").doesNotExist();
        assertThat(uploaded).as("upload named by the waiting job").isRegularFile();
        assertThat(report(upload)).doesNotExist();
        assertThat(api.job(waiting).get("status").asText()).isEqualTo("QUEUED");
    }

    @Test
    void aLinkIsNeitherFollowedNorRemoved() throws IOException {
        Path outside = Files.createDirectories(Path.of("target/retention-outside")).resolve("not-ours.csv");
        Files.writeString(outside, CSV);
        String old = finishedUpload();
        Path upload = upload(old);
        Files.delete(upload);
        Files.createSymbolicLink(upload, outside.toAbsolutePath());

        age(old);
        retention.purge();

        assertThat(report(old)).doesNotExist(); // the sweep did reach this job
        assertThat(outside).isRegularFile();
        assertThat(Files.isSymbolicLink(upload)).isTrue();
    }

    @Test
    void theDataRetentionRouteSweepsOnItsOwn() {
        assertThat(camel.getRouteController().getRouteStatus("data-retention")).isEqualTo(ServiceStatus.Started);
        assertThat(camel.getRoute("data-retention").filter("purge-finished-job-files")).hasSize(1);
        String old = finishedUpload();
        Path upload = upload(old);

        age(old);

        await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(upload) && !Files.exists(report(old)));
    }

    /** An uploaded CSV, validated: PARTIAL_SUCCESS with an error report. */
    private String finishedUpload() {
        HttpResponse<String> response = api.postCsv("/jobs/csv?marketplace=retention&category=toys",
                () -> new ByteArrayInputStream(CSV.getBytes(StandardCharsets.UTF_8)));
        assertThat(response.statusCode()).isEqualTo(202);
        String jobId = Api.json(response).get("job_id").asText();
        assertThat(api.awaitFinished(jobId).get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        return jobId;
    }

    private Path upload(String jobId) {
        String file = jdbc.queryForObject("SELECT payload ->> 'file' FROM jobs WHERE job_id = ?", String.class, jobId);
        return properties.dataDir().resolve("tenants/default").resolve(file);
    }

    private Path report(String jobId) {
        return properties.dataDir().resolve("reports/" + jobId + "-errors.csv");
    }

    /** Finished 31 days ago, in one statement, so a sweep sees all of them aged or none. */
    private void age(String... jobIds) {
        int updated = jdbc.update("UPDATE jobs SET completed_at = now() - interval '31 days' WHERE job_id = ANY (?)",
                (Object) jobIds);
        assertThat(updated).isEqualTo(jobIds.length);
    }

    private static String validation(String file) {
        return "\"type\":\"csv_validation\",\"payload\":{\"marketplace\":\"retention\",\"category\":\"toys\","
                + "\"file\":\"" + file + "\"}";
    }

    /** The job, to run a day from now: it stays QUEUED for the whole test. */
    private static String later(String job, String extra) {
        return "{" + job + ",\"run_at\":\"" + OffsetDateTime.now(ZoneOffset.UTC).plusDays(1) + "\""
                + (extra == null ? "" : "," + extra) + "}";
    }

    private List<JsonNode> awaitChain(String correlationId, int size) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<JsonNode> jobs = new ArrayList<>();
            Api.json(api.get("/jobs?correlation_id=" + correlationId)).get("jobs").forEach(jobs::add);
            return jobs;
        }, jobs -> jobs.size() == size && jobs.stream().allMatch(j -> Api.isFinal(j.get("status").asText())));
    }
}
