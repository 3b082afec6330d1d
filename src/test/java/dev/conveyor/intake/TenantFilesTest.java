package dev.conveyor.intake;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import dev.conveyor.support.TestEnvironment;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each tenant's files live under a root of its own and a job's payload 'file' is looked up in its tenant's root only:
 * a job of one tenant cannot read another tenant's upload or import, and cannot even tell that it exists.
 */
@ConveyorIntegrationTest
class TenantFilesTest extends RunningServiceTest {

    private static final String CSV = "sku,title,price,quantity\nTF-1,One,1.00,1\nTF-2,Two,2.00,2\n";

    @Test
    void anotherTenantsUploadReadsAsMissingAndTheOwnerCanStillUseIt() {
        String uploadId = upload("tenant-a");
        String file = payloadFile(uploadId);
        assertThat(file).startsWith("uploads/");
        assertThat(properties.dataDir().resolve("tenants/tenant-a").resolve(file)).isRegularFile();

        String other = refusal("tenant-b", validation(file));
        String missing = refusal("tenant-b", validation("uploads/no-such-upload.csv"));
        assertThat(other).contains("does not exist");
        // the same words as for a file nobody has: nothing tells B that A's file is there
        assertThat(other.replace(file, "X")).isEqualTo(missing.replace("uploads/no-such-upload.csv", "X"));
        assertThat(refusal("tenant-b", load(file))).contains("does not exist");

        JsonNode own = awaitFinished("tenant-a", api.submit(validation(file), "X-Tenant-Id", "tenant-a"));
        assertThat(own.get("status").asText()).isEqualTo("SUCCESS");
    }

    @Test
    void pathsThatClimbIntoAnotherTenantsRootAreRefused() {
        String file = payloadFile(upload("tenant-a"));
        Path absolute = properties.dataDir().resolve("tenants/tenant-a").resolve(file).toAbsolutePath();

        for (String name : new String[] {"../tenant-a/" + file, absolute.toString(), "../../tenants/tenant-a/" + file}) {
            String detail = refusal("tenant-b", validation(name));
            assertThat(detail).as(name).contains("must be a path inside the data directory of the job's tenant");
        }
    }

    @Test
    void anotherTenantsImportReadsAsMissing() throws IOException {
        Path allowed = Files.createDirectories(Path.of(TestEnvironment.ALLOWED_DIR));
        Path source = allowed.resolve("tenant-a.csv");
        Files.writeString(source, CSV);
        String importId = api.submit("{\"type\":\"bulk_import\",\"payload\":{\"file_url\":\""
                + source.toAbsolutePath().toUri() + "\",\"format\":\"csv\",\"marketplace\":\"tenant_files\","
                + "\"category\":\"toys\"}}", "X-Tenant-Id", "tenant-a");
        JsonNode imported = awaitFinished("tenant-a", importId);
        String file = "imports/" + importId + ".csv";
        assertThat(imported.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(properties.dataDir().resolve("tenants/tenant-a").resolve(file)).isRegularFile();

        assertThat(refusal("tenant-b", validation(file))).contains("does not exist");
        assertThat(refusal("tenant-b", load(file))).contains("does not exist");
        // the importing tenant's own chain read it: validation and load of the same tenant
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM warehouse_listings WHERE marketplace = 'tenant_files'", Long.class) == 2);
    }

    @Test
    void onlyTheInboxTenantMayNameFilesInTheInbox() throws IOException {
        Path inboxFile = Files.createDirectories(properties.inbox().dir().toAbsolutePath().resolve(".done"))
                .resolve("tenant-files.csv");
        Files.writeString(inboxFile, CSV);

        assertThat(refusal("tenant-b", validation(inboxFile.toString())))
                .contains("must be a path inside the data directory of the job's tenant");
        JsonNode own = api.awaitFinished(api.submit(validation(inboxFile.toString()), "X-Tenant-Id",
                properties.inbox().tenant()));
        assertThat(own.get("status").asText()).isEqualTo("SUCCESS");
    }

    /** Api.awaitFinished, as the job's tenant (another tenant's job is a 404). */
    private JsonNode awaitFinished(String tenant, String jobId) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> Api.json(api.get("/jobs/" + jobId, "X-Tenant-Id", tenant)),
                        job -> job.has("status") && Api.isFinal(job.get("status").asText()));
    }

    private String upload(String tenant) {
        HttpResponse<String> response = api.postCsv("/jobs/csv?marketplace=tenant_files&category=toys",
                () -> new ByteArrayInputStream(CSV.getBytes(StandardCharsets.UTF_8)), "X-Tenant-Id", tenant);
        assertThat(response.statusCode()).isEqualTo(202);
        return Api.json(response).get("job_id").asText();
    }

    private String payloadFile(String jobId) {
        return jdbc.queryForObject("SELECT payload->>'file' FROM jobs WHERE job_id = ?", String.class, jobId);
    }

    /** Submits as the tenant, expects 422, returns the problem's detail. */
    private String refusal(String tenant, String json) {
        HttpResponse<String> response = api.postJson("/jobs", json, "X-Tenant-Id", tenant);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        return Api.json(response).get("detail").asText();
    }

    private static String validation(String file) {
        return "{\"type\":\"csv_validation\",\"payload\":{\"marketplace\":\"tenant_files\",\"category\":\"toys\","
                + "\"file\":\"" + file.replace("\\", "\\\\") + "\"}}";
    }

    private static String load(String file) {
        return "{\"type\":\"warehouse_load\",\"payload\":{\"marketplace\":\"tenant_files\",\"category\":\"toys\","
                + "\"file\":\"" + file + "\"}}";
    }
}
