package dev.conveyor.inbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The inbox belongs to one configured tenant: its jobs are that tenant's, not the default tenant's. */
@Tag("slow") // a Spring context of its own (another inbox tenant)
@ConveyorIntegrationTest
@TestPropertySource(properties = "conveyor.inbox.tenant=acme")
class InboxTenantTest extends RunningServiceTest {

    @Test
    void aDroppedFileBecomesAJobOfTheInboxTenant() throws IOException {
        Path dir = Files.createDirectories(properties.inbox().dir().resolve("tenant_mkt").resolve("toys"));
        Path staged = Files.createTempFile("staged", ".csv");
        Files.writeString(staged, "sku,title,price,quantity\nT-1,Thing,1.00,1\n");
        Files.move(staged, dir.resolve("acme.csv"));

        JsonNode job = await().atMost(Duration.ofSeconds(30)).until(() -> find(api, "X-Tenant-Id", "acme"),
                found -> found != null);
        assertThat(job.get("source").asText()).isEqualTo("inbox");
        assertThat(Api.json(api.get("/jobs/" + job.get("job_id").asText(), "X-Tenant-Id", "acme"))
                .get("job_id").asText()).isEqualTo(job.get("job_id").asText());
        // the default tenant does not see it
        assertThat(find(api)).isNull();
        assertThat(api.get("/jobs/" + job.get("job_id").asText()).statusCode()).isEqualTo(404);
    }

    private static JsonNode find(Api api, String... headers) {
        for (JsonNode job : Api.json(api.get("/jobs?limit=500", headers)).get("jobs")) {
            // the validation, not the warehouse_load it chains (newest first, so it may be listed first)
            if ("tenant_mkt".equals(job.get("marketplace").asText())
                    && "csv_validation".equals(job.get("type").asText())) {
                return job;
            }
        }
        return null;
    }
}
