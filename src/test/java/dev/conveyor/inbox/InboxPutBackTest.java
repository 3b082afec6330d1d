package dev.conveyor.inbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A file whose job cannot be written is not refused: the inbox route's moveFailed puts it back where it was
 * dropped, and it becomes its one job once the jobs table can be written again.
 */
@Tag("slow") // a Spring context of its own: it takes the jobs table away for a while
@ConveyorIntegrationTest
@TestPropertySource(properties = "conveyor.inbox.load-to-warehouse=false")
class InboxPutBackTest extends RunningServiceTest {

    @Autowired
    CamelContext camel;

    @Test
    void aFileWhoseJobCannotBeWrittenGoesBackAndIsTakenOnceItCanBe() throws IOException {
        Path dir = Files.createDirectories(properties.inbox().dir().resolve("back_mkt").resolve("toys"));
        NotifyBuilder failedTwice = new NotifyBuilder(camel).fromRoute("inbox")
                .filter(exchange -> "back.csv".equals(exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY)))
                .whenFailed(2).create();
        jdbc.execute("ALTER TABLE jobs RENAME TO jobs_away");
        try {
            Path staged = Files.createTempFile("staged", ".csv");
            Files.writeString(staged, "sku,title,price,quantity\nB-1,Thing,1.00,1\n");
            Files.move(staged, dir.resolve("back.csv"));

            // failing twice means it was read twice: put back in the watched folder after the first failure (a
            // file in .done/ or .failed/ is never read), and not refused
            assertThat(failedTwice.matches(30, TimeUnit.SECONDS)).as("the inbox route read back.csv twice").isTrue();
            assertThat(dir.resolve(".failed/back.csv")).doesNotExist();
            assertThat(dir.resolve(".failed/back.csv.reason.txt")).doesNotExist();
        } finally {
            jdbc.execute("ALTER TABLE jobs_away RENAME TO jobs");
        }

        List<JsonNode> jobs = await().atMost(Duration.ofSeconds(30)).until(() -> validations(api),
                found -> !found.isEmpty());
        assertThat(jobs).hasSize(1);
        assertThat(api.awaitFinished(jobs.get(0).get("job_id").asText()).get("status").asText())
                .isEqualTo("SUCCESS");
        assertThat(dir.resolve(".done/back.csv")).exists();
        assertThat(dir.resolve("back.csv")).doesNotExist();
        try (var done = Files.list(dir.resolve(".done"))) {
            assertThat(done).hasSize(1);
        }
    }

    private static List<JsonNode> validations(Api api) {
        List<JsonNode> found = new java.util.ArrayList<>();
        for (JsonNode job : Api.json(api.get("/jobs?limit=500")).get("jobs")) {
            if ("back_mkt".equals(job.get("marketplace").asText())
                    && "csv_validation".equals(job.get("type").asText())) {
                found.add(job);
            }
        }
        return found;
    }
}
