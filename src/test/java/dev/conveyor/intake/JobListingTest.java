package dev.conveyor.intake;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** GET /jobs lists a tenant's jobs newest first, filtered and paged. */
@ConveyorIntegrationTest
class JobListingTest extends RunningServiceTest {

    @Test
    void listsNewestFirstFiltersByStatusAndPagesWithAfter() {
        String tenant = "listing";
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            submitted.add(api.submit(CsvJobs.inline(CsvJobs.CLEAN), "X-Tenant-Id", tenant));
        }
        String failed = api.submit(CsvJobs.inline("wrong\nheader\n"), "X-Tenant-Id", tenant);
        submitted.add(failed);
        submitted.forEach(id -> awaitFinished(id, tenant));

        JsonNode all = Api.json(api.get("/jobs?limit=10", "X-Tenant-Id", tenant));
        List<String> listed = ids(all);
        assertThat(listed).containsExactlyElementsOf(reversed(submitted));
        assertThat(all.get("next_after").isNull()).isTrue();

        JsonNode firstPage = Api.json(api.get("/jobs?limit=4", "X-Tenant-Id", tenant));
        assertThat(ids(firstPage)).containsExactlyElementsOf(reversed(submitted).subList(0, 4));
        String after = firstPage.get("next_after").asText();
        JsonNode secondPage = Api.json(api.get("/jobs?limit=4&after=" + after, "X-Tenant-Id", tenant));
        assertThat(ids(secondPage)).containsExactlyElementsOf(reversed(submitted).subList(4, 6));

        assertThat(ids(Api.json(api.get("/jobs?status=FAILED", "X-Tenant-Id", tenant)))).containsExactly(failed);
        assertThat(ids(Api.json(api.get("/jobs?status=success&type=csv_validation", "X-Tenant-Id", tenant))))
                .hasSize(5);
        assertThat(ids(Api.json(api.get("/jobs?type=other", "X-Tenant-Id", tenant)))).isEmpty();
        assertThat(ids(Api.json(api.get("/jobs?correlation_id=" + failed, "X-Tenant-Id", tenant))))
                .containsExactly(failed);
        assertThat(ids(Api.json(api.get("/jobs", "X-Tenant-Id", "nobody")))).isEmpty();
    }

    private void awaitFinished(String jobId, String tenant) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                Api.isFinal(Api.json(api.get("/jobs/" + jobId, "X-Tenant-Id", tenant)).get("status").asText()));
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("jobs").forEach(job -> ids.add(job.get("job_id").asText()));
        return ids;
    }

    private static List<String> reversed(List<String> list) {
        List<String> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
