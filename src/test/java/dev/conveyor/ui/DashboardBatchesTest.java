package dev.conveyor.ui;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard's batches against the shared service, over plain HTTP with a session: the list with its filters,
 * and a batch's page with the counts, the reconciliation, its jobs and the download of its invalid rows, all as
 * GET /batches/{id} has them; another tenant's batch is not found.
 */
@ConveyorIntegrationTest
class DashboardBatchesTest {

    @LocalServerPort
    int port;

    Api admin;
    String tenant;
    DashboardSession browser;

    @BeforeEach
    void setUp() {
        admin = new Api(port);
        tenant = "t_" + UUID.randomUUID().toString().substring(0, 8);
        browser = new DashboardSession(port);
    }

    @Test
    void anUploadsBatchShowsItsCountsReconciliationJobsAndInvalidRowsReport() {
        String batchId = closedUpload(CsvJobs.TWO_BAD_ROWS);
        JsonNode batch = Api.json(admin.get("/batches/" + batchId, "X-Tenant-Id", tenant));
        browser.logIn(admin.newKey(tenant, "reader"));

        String list = browser.get("/ui/batches").body();
        assertThat(list).contains("<tr id=\"batch-" + batchId + "\">").contains("href=\"/ui/batches/" + batchId
                + "\"").contains(">upload<");
        assertThat(browser.get("/ui/batches?status=SUCCESS").body()).doesNotContain(batchId);
        assertThat(browser.get("/ui/batches?status=" + batch.get("status").asText() + "&source=upload").body())
                .contains(batchId);
        assertThat(browser.get("/ui/batches?source=inbox").body()).doesNotContain(batchId);

        String page = browser.get("/ui/batches/" + batchId).body();
        assertThat(page).contains("<td id=\"rows-total\">5</td>").contains("<td id=\"rows-valid\">3</td>")
                .contains("<td id=\"rows-invalid\">2</td>")
                // as the template escapes it ('=' too)
                .contains("<span id=\"reconciliation\">" + batch.get("reconciliation").asText()
                        .replace("=", "&#x3D;") + "</span>")
                .contains("value=\"100\"").contains(batch.get("status").asText())
                // the page stops polling once the batch is closed
                .doesNotContain("hx-trigger");
        String validation = null;
        for (JsonNode job : batch.get("jobs")) {
            assertThat(page).contains("href=\"/ui/jobs/" + job.get("job_id").asText() + "\"");
            if (job.get("type").asText().equals("csv_validation")) {
                validation = job.get("job_id").asText();
            }
        }
        assertThat(page).contains("href=\"/ui/jobs/" + validation + "/report\" download");
        HttpResponse<String> report = browser.get("/ui/jobs/" + validation + "/report");
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.body()).contains("SKU-2").contains("SKU-3").doesNotContain("SKU-4");
    }

    @Test
    void anOperatorReplaysTheCorrectedInvalidRowsFromTheBatchPageAndTheBatchBecomesSuccess() throws IOException {
        String batchId = closedUpload(CsvJobs.TWO_BAD_ROWS);
        JsonNode batch = Api.json(admin.get("/batches/" + batchId, "X-Tenant-Id", tenant));
        assertThat(batch.get("rows_invalid").asLong()).isEqualTo(2);
        String validation = null;
        for (JsonNode job : batch.get("jobs")) {
            if (job.get("type").asText().equals("csv_validation")) {
                validation = job.get("job_id").asText();
            }
        }
        String corrected = corrected(admin.get("/jobs/" + validation + "/report", "X-Tenant-Id", tenant).body());

        DashboardSession reader = new DashboardSession(port);
        reader.logIn(admin.newKey(tenant, "reader"));
        assertThat(reader.get("/ui/batches/" + batchId).body()).doesNotContain("replay-invalid");
        assertThat(reader.postCsv("/ui/batches/" + batchId + "/replay-invalid", corrected).statusCode())
                .isEqualTo(403);
        assertThat(Api.json(admin.get("/batches/" + batchId, "X-Tenant-Id", tenant)).get("rows_invalid").asLong())
                .as("a reader's forced replay changed nothing").isEqualTo(2);

        browser.logIn(admin.newKey(tenant, "operator"));
        String page = browser.get("/ui/batches/" + batchId).body();
        assertThat(page).contains("data-action=\"/ui/batches/" + batchId + "/replay-invalid\"")
                .contains("<label for=\"corrected\">");
        assertThat(browser.postCsv("/ui/batches/" + batchId + "/replay-invalid", corrected, false).statusCode())
                .as("an operator's replay without the CSRF token").isEqualTo(403);
        HttpResponse<String> wrong = browser.postCsv("/ui/batches/" + batchId + "/replay-invalid",
                "nope,header\n1,2\n");
        assertThat(wrong.statusCode()).isEqualTo(422);
        assertThat(wrong.body()).startsWith("Not replayed:");

        HttpResponse<String> replayed = browser.postCsv("/ui/batches/" + batchId + "/replay-invalid", corrected);
        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(202);
        assertThat(replayed.body()).startsWith("Replaying 2 corrected row(s)");
        JsonNode whole = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(
                () -> Api.json(admin.get("/batches/" + batchId, "X-Tenant-Id", tenant)),
                b -> b.get("status").asText().equals("SUCCESS"));
        assertThat(whole.get("rows_invalid").asLong()).isZero();
        assertThat(whole.get("rows_valid").asLong()).isEqualTo(5);
        assertThat(browser.get("/ui/batches/" + batchId).body()).contains("<td id=\"rows-invalid\">0</td>")
                .doesNotContain("data-action=\"/ui/batches/" + batchId + "/replay-invalid\"");
    }

    /** The report's rows with the values TWO_BAD_ROWS got wrong made right (its extra columns kept). */
    private static String corrected(String report) throws IOException {
        StringBuilder out = new StringBuilder();
        try (CSVParser parser = CSVFormat.RFC4180.builder().setHeader().get().parse(new StringReader(report));
             CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setRecordSeparator('\n').get())) {
            printer.printRecord(parser.getHeaderNames());
            for (CSVRecord record : parser) {
                java.util.List<String> values = new java.util.ArrayList<>();
                for (String column : parser.getHeaderNames()) {
                    String value = record.get(column);
                    if (column.equals("price") && value.equals("abc")) {
                        value = "2.00";
                    } else if (column.equals("title") && value.isEmpty()) {
                        value = "Green ball";
                    } else if (column.equals("quantity") && value.equals("-4")) {
                        value = "4";
                    }
                    values.add(value);
                }
                printer.printRecord(values);
            }
        }
        return out.toString();
    }

    @Test
    void anotherTenantsBatchIsNotFound() {
        String batchId = closedUpload(CsvJobs.CLEAN);
        browser.logIn(admin.newKey("other_" + tenant, "reader"));
        assertThat(browser.get("/ui/batches/" + batchId).statusCode()).isEqualTo(404);
        assertThat(browser.get("/ui/batches").body()).doesNotContain(batchId);
        assertThat(browser.get("/ui/batches/not-a-batch").statusCode()).isEqualTo(404);
    }

    /** A CSV uploaded for the tenant, its batch's id once the batch is closed. */
    private String closedUpload(String csv) {
        byte[] body = csv.getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = admin.postCsv("/jobs/csv?marketplace=ui_batch&category=toys",
                () -> new ByteArrayInputStream(body), "X-Tenant-Id", tenant);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String jobId = Api.json(response).get("job_id").asText();
        String batchId = admin.job(jobId, "X-Tenant-Id", tenant).get("batch_id").asText();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> Api.json(
                admin.get("/batches/" + batchId, "X-Tenant-Id", tenant)).get("status").asText(),
                status -> !status.equals("RUNNING"));
        return batchId;
    }
}
