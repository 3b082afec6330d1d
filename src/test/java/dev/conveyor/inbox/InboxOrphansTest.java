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
import dev.conveyor.support.MutableClock;
import dev.conveyor.support.RouteSignals;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A file the inbox moved into .done/ but made no job of (the service killed between its preMove and its submit)
 * goes back where it was dropped and becomes its one job; a file that has its job stays where it is. The scene is
 * set by hand — a file written straight into .done/ is exactly what such a kill leaves — and time is moved with
 * the service's clock past conveyor.inbox.orphan-after-ms (20 s in tests).
 */
@ConveyorIntegrationTest
class InboxOrphansTest extends RunningServiceTest {

    private static final String HEADER = "sku,title,price,quantity\n";
    private static final Duration PAST_ORPHAN_AGE = Duration.ofSeconds(25);

    @Autowired
    CamelContext camel;

    @Autowired
    InboxOrphans orphans;

    @Autowired
    MutableClock clock;

    Path inbox;

    @BeforeEach
    void setUp() {
        inbox = properties.inbox().dir();
    }

    @Test
    void aFileLeftInDoneWithoutAJobGoesBackAndBecomesOneJob() throws IOException {
        Path dir = Files.createDirectories(inbox.resolve("orphan_mkt/toys"));
        Path left = Files.createDirectories(dir.resolve(".done")).resolve("killed.csv");
        Files.writeString(left, HEADER + "ORPHAN-1,Item,1.50,2\nORPHAN-2,Item,2.50,3\n");

        // just arrived: the route may be submitting it right now, so it is not touched
        assertThat(orphans.putBack()).doesNotContain("orphan_mkt/toys/killed.csv");
        assertThat(left).exists();

        NotifyBuilder reread = RouteSignals.inboxDoneWith(camel, "killed.csv");
        clock.advance(PAST_ORPHAN_AGE);
        assertThat(orphans.putBack()).contains("orphan_mkt/toys/killed.csv");
        assertThat(reread.matches(30, TimeUnit.SECONDS)).as("the inbox took the file put back").isTrue();

        assertThat(dir.resolve("killed.csv")).doesNotExist();
        assertThat(left).exists();
        List<JsonNode> jobs = validationsOf("orphan_mkt");
        assertThat(jobs).hasSize(1);
        JsonNode job = api.awaitFinished(jobs.get(0).get("job_id").asText());
        assertThat(job.get("result").get("valid_rows").asLong()).isEqualTo(2);

        // it now has its job: asked again, much later, it stays
        clock.advance(PAST_ORPHAN_AGE);
        assertThat(orphans.putBack()).doesNotContain("orphan_mkt/toys/killed.csv");
        assertThat(left).exists();
        assertThat(validationsOf("orphan_mkt")).hasSize(1);
    }

    @Test
    void filesThatHaveTheirJobStayInDoneUnderEitherName() throws IOException {
        Path dir = Files.createDirectories(inbox.resolve("kept_mkt/toys"));
        NotifyBuilder first = RouteSignals.inboxDoneWith(camel, "same.csv");
        drop(dir, "same.csv", HEADER + "KEPT-1,Item,1.50,2\n");
        assertThat(first.matches(30, TimeUnit.SECONDS)).isTrue();
        // the same name again: .done/ gives it <stem>-<8 hex>.csv, and its job's key names same.csv
        drop(dir, "same.csv", HEADER + "KEPT-2,Item,2.50,3\n");
        await().atMost(Duration.ofSeconds(30)).until(() -> validationsOf("kept_mkt").size() == 2);
        List<String> done = names(dir.resolve(".done"));
        assertThat(done).hasSize(2).anyMatch(name -> name.matches("same-[0-9a-f]{8}\\.csv"));

        clock.advance(PAST_ORPHAN_AGE);
        List<String> putBack = orphans.putBack();

        assertThat(putBack).noneMatch(path -> path.startsWith("kept_mkt/"));
        assertThat(names(dir.resolve(".done"))).containsExactlyInAnyOrderElementsOf(done);
        assertThat(dir.resolve("same.csv")).doesNotExist();
        assertThat(validationsOf("kept_mkt")).hasSize(2);
    }

    @Test
    void aNewFileOfTheSameNameIsNeverReplacedAndLinksAreNotMoved() throws Exception {
        Path dir = Files.createDirectories(inbox.resolve("taken_mkt/toys"));
        Path done = Files.createDirectories(dir.resolve(".done"));
        Files.writeString(done.resolve("report.csv"), HEADER + "OLD-1,Item,1.50,2\n");
        Path outside = Files.createTempFile("outside", ".csv");
        Files.createSymbolicLink(done.resolve("link.csv"), outside);
        // the route stopped, so the new file of the orphan's name stays in the watched folder while it is asked
        camel.getRouteController().stopRoute("inbox");
        try {
            Path newer = dir.resolve("report.csv");
            Files.writeString(newer, HEADER + "NEW-1,Item,1.50,2\n");
            clock.advance(PAST_ORPHAN_AGE);

            List<String> putBack = orphans.putBack().stream().filter(path -> path.startsWith("taken_mkt/")).toList();

            // the orphan comes back beside the new file under a name of its own; the new file is untouched
            assertThat(putBack).singleElement().asString().matches("taken_mkt/toys/report-[0-9a-f]{8}\\.csv");
            assertThat(Files.readString(dir.resolve(putBack.get(0).substring("taken_mkt/toys/".length()))))
                    .contains("OLD-1");
            assertThat(Files.readString(newer)).contains("NEW-1");
            assertThat(done.resolve("report.csv")).doesNotExist();
            assertThat(Files.isSymbolicLink(done.resolve("link.csv"))).as("a link is never moved").isTrue();
            assertThat(outside).exists();
        } finally {
            camel.getRouteController().startRoute("inbox");
        }
        // both are taken: two jobs, one per file
        await().atMost(Duration.ofSeconds(30)).until(() -> validationsOf("taken_mkt").size() == 2);
    }

    private List<JsonNode> validationsOf(String marketplace) {
        List<JsonNode> jobs = new java.util.ArrayList<>();
        Api.json(api.get("/jobs?limit=500&type=csv_validation")).get("jobs").forEach(job -> {
            if (marketplace.equals(job.get("marketplace").asText())) {
                jobs.add(job);
            }
        });
        return jobs;
    }

    private static List<String> names(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString()).toList();
        }
    }

    private static void drop(Path dir, String name, String content) throws IOException {
        Path staged = Files.createTempFile("staged", ".csv");
        Files.writeString(staged, content);
        Files.move(staged, dir.resolve(name));
    }
}
