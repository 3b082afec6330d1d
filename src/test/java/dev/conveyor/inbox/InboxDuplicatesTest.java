package dev.conveyor.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.MutableClock;
import dev.conveyor.support.RouteSignals;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A file dropped again with the content of an earlier successful batch of its folder (conveyor.inbox.duplicates:
 * skip, the default): it stays in .done/ with a reason naming that batch and no job, and the orphan check, which puts
 * back files in .done/ that have no job, leaves it there. With reprocess it is a new batch like any file.
 */
@ConveyorIntegrationTest
class InboxDuplicatesTest extends RunningServiceTest {

    private static final String HEADER = "sku,title,price,quantity\n";
    private static final Duration PAST_ORPHAN_AGE = Duration.ofSeconds(25);
    /** Three good rows and one bad: the first batch ends PARTIAL_SUCCESS, which still counts as successful. */
    private static final String CSV = HEADER + "DUP-1,Item,1.50,2\nDUP-2,Item,2.50,3\nDUP-3,Item,3.50,4\n"
            + "DUP-4,,abc,1\n";

    @Autowired
    CamelContext camel;

    @Autowired
    InboxOrphans orphans;

    @Autowired
    InboxIntake intake;

    @Autowired
    MutableClock clock;

    @Test
    void aReDroppedFileIsSkippedWithItsReasonNeverPutBackAndReprocessedOnlyWhenAskedTo() throws IOException {
        Path dir = Files.createDirectories(properties.inbox().dir().resolve("dup_mkt/toys"));
        NotifyBuilder firstTaken = RouteSignals.inboxDoneWith(camel, "first.csv");
        drop(dir, "first.csv", CSV);
        assertThat(firstTaken.matches(30, TimeUnit.SECONDS)).isTrue();
        String firstBatch = batchOfOnlyValidation("dup_mkt");
        JsonNode closed = awaitClosed(firstBatch);
        assertThat(closed.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(closed.get("rows_loaded").asLong()).isEqualTo(3);

        // the same bytes under another name, in the same folder
        NotifyBuilder againTaken = RouteSignals.inboxDoneWith(camel, "again.csv");
        drop(dir, "again.csv", CSV);
        assertThat(againTaken.matches(30, TimeUnit.SECONDS)).isTrue();

        Path skipped = dir.resolve(".done/again.csv");
        Path reason = dir.resolve(".done/again.csv.reason.txt");
        assertThat(skipped).exists();
        assertThat(Files.readString(reason)).startsWith("skipped: the same content (sha256 "
                        + closed.get("sha256").asText() + ") as batch " + firstBatch + " (dup_mkt/toys/first.csv, "
                        + "PARTIAL_SUCCESS")
                .contains("conveyor.inbox.duplicates set to reprocess");
        assertThat(validations("dup_mkt")).as("no job of the duplicate").hasSize(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batches WHERE source_ref LIKE 'dup_mkt/%'",
                Long.class)).isEqualTo(1);

        // the orphan check puts back files in .done/ without a job: never a skipped duplicate, nor its reason
        clock.advance(PAST_ORPHAN_AGE);
        assertThat(orphans.putBack()).noneMatch(path -> path.startsWith("dup_mkt/"));
        assertThat(skipped).exists();
        assertThat(reason).exists();
        assertThat(dir.resolve("again.csv")).doesNotExist();

        // the same content in another folder is no duplicate of it (another marketplace: the warehouse keys rows by
        // marketplace and sku, and the reprocessed file below must find its own rows as they were)
        Path games = Files.createDirectories(properties.inbox().dir().resolve("dup2_mkt/toys"));
        NotifyBuilder elsewhereTaken = RouteSignals.inboxDoneWith(camel, "elsewhere.csv");
        drop(games, "elsewhere.csv", CSV);
        assertThat(elsewhereTaken.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(games.resolve(".done/elsewhere.csv.reason.txt")).doesNotExist();
        await().atMost(Duration.ofSeconds(30)).until(() -> validations("dup2_mkt").size() == 1);

        // reprocess: the file as the route leaves it in .done/, decided with duplicates: reprocess
        Path third = dir.resolve(".done/third.csv");
        Files.writeString(third, CSV);
        String jobId = intake.accept(dir.resolve("third.csv").toAbsolutePath().normalize().toString(),
                third.toAbsolutePath().normalize().toString(), ConveyorProperties.Inbox.Duplicates.REPROCESS);
        assertThat(jobId).isNotNull();
        assertThat(dir.resolve(".done/third.csv.reason.txt")).doesNotExist();
        JsonNode again = awaitClosed(api.job(jobId).get("batch_id").asText());
        assertThat(again.get("batch_id").asText()).isNotEqualTo(firstBatch);
        assertThat(again.get("sha256").asText()).isEqualTo(closed.get("sha256").asText());
        // its rows were loaded before: found unchanged
        assertThat(again.get("rows_unchanged").asLong()).isEqualTo(3);
    }

    private String batchOfOnlyValidation(String marketplace) {
        List<JsonNode> jobs = await().atMost(Duration.ofSeconds(30)).until(() -> validations(marketplace),
                list -> list.size() == 1);
        return api.job(jobs.get(0).get("job_id").asText()).get("batch_id").asText();
    }

    private List<JsonNode> validations(String marketplace) {
        List<JsonNode> found = new java.util.ArrayList<>();
        Api.json(api.get("/jobs?limit=500&type=csv_validation")).get("jobs")
                .forEach(job -> {
                    if (marketplace.equals(job.path("marketplace").asText())) {
                        found.add(job);
                    }
                });
        return found;
    }

    private JsonNode awaitClosed(String batchId) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> Api.json(api.get("/batches/" + batchId)),
                batch -> !"RUNNING".equals(batch.get("status").asText()));
    }

    private static void drop(Path dir, String name, String content) throws IOException {
        Path staged = Files.createTempFile("staged", ".csv");
        Files.writeString(staged, content);
        Files.move(staged, dir.resolve(name));
    }
}
