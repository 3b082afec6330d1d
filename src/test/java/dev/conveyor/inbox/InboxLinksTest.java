package dev.conveyor.inbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RouteSignals;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inbox takes regular files only: a link (to a file or a folder) is never followed or read, nothing of its
 * target shows up in a reason file, a job or the log, and nothing outside the inbox is ever moved.
 */
@ConveyorIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class InboxLinksTest extends RunningServiceTest {

    private static final String HEADER = "sku,title,price,quantity\n";
    private static final String SECRET = "root:x:0:0:SECRET-7f3a9c:/root:/bin/bash";

    @Autowired
    CamelContext camel;

    Path inbox;

    @BeforeEach
    void setUp() {
        inbox = properties.inbox().dir();
    }

    @Test
    void aLinkToAFileOutsideIsMovedAsALinkWithoutItsTargetEverBeingRead(CapturedOutput output) throws IOException {
        Path secret = Files.createTempFile("outside-secret", ".csv");
        Files.writeString(secret, SECRET + "\n");
        Path dir = folder("link_mkt", "toys");
        Files.createSymbolicLink(dir.resolve("passwd.csv"), secret);

        Path moved = dir.resolve(".failed/passwd.csv");
        Path reason = dir.resolve(".failed/passwd.csv.reason.txt");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(reason, LinkOption.NOFOLLOW_LINKS));

        // the link itself moved, still pointing where it did; its target is where it was, as it was
        assertThat(Files.isSymbolicLink(moved)).isTrue();
        assertThat(Files.readSymbolicLink(moved)).isEqualTo(secret);
        assertThat(dir.resolve("passwd.csv")).doesNotExist();
        assertThat(Files.isRegularFile(secret, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(secret)).isEqualTo(SECRET + "\n");
        assertThat(Files.readString(reason))
                .isEqualTo("symbolic links are not accepted; copy the file itself into the inbox\n");

        assertNoJobsAndSecretNowhere("link_mkt", output);

        // a real file beside it is still a job
        drop(dir, "real.csv", HEADER + "REAL-1,Thing,1.00,1\n");
        // (its validation chains a warehouse_load, so look for the validation, not for a count)
        await().atMost(Duration.ofSeconds(30)).until(() -> jobsOf("link_mkt").stream().anyMatch(job ->
                job.get("source").asText().equals("inbox") && job.get("type").asText().equals("csv_validation")));
        assertThat(dir.resolve(".done/real.csv")).exists();
    }

    @Test
    void aLinkedFolderPointingOutsideIsNeverEnteredAndItsCsvNeverMoves(CapturedOutput output) throws IOException {
        String csv = HEADER + "OUT-1,Outside,1.00,1\n" + SECRET.replace(':', '-') + ",x,1.00,1\n";
        // the whole marketplace folder is a link out of the inbox ...
        Path outsideMarketplace = Files.createTempDirectory("outside-mkt");
        Path outsideCsv = Files.writeString(Files.createDirectories(outsideMarketplace.resolve("toys"))
                .resolve("listings.csv"), csv);
        Files.createSymbolicLink(inbox.resolve("linkdir_mkt"), outsideMarketplace);
        // ... and so is a category folder under a real marketplace folder
        Path outsideCategory = Files.createTempDirectory("outside-category");
        Path outsideCsv2 = Files.writeString(outsideCategory.resolve("listings.csv"), csv);
        Path realMarketplace = Files.createDirectories(inbox.resolve("linkcat_mkt"));
        Files.createSymbolicLink(realMarketplace.resolve("toys"), outsideCategory);

        await().atMost(Duration.ofSeconds(20)).until(() ->
                Files.exists(inbox.resolve(".failed/linkdir_mkt.reason.txt"))
                        && Files.exists(realMarketplace.resolve(".failed/toys.reason.txt")));

        assertThat(Files.isSymbolicLink(inbox.resolve(".failed/linkdir_mkt"))).isTrue();
        assertThat(Files.isSymbolicLink(realMarketplace.resolve(".failed/toys"))).isTrue();
        assertThat(Files.readString(inbox.resolve(".failed/linkdir_mkt.reason.txt")))
                .isEqualTo("symbolic links are not accepted; copy the file itself into the inbox\n");
        for (Path outside : List.of(outsideCsv, outsideCsv2)) {
            assertThat(Files.readString(outside)).isEqualTo(csv);
            assertThat(outside.resolveSibling(".done")).doesNotExist();
            assertThat(outside.resolveSibling(".failed")).doesNotExist();
        }
        assertThat(Files.list(outsideCategory).toList()).containsExactly(outsideCsv2);
        assertNoJobsAndSecretNowhere("linkdir_mkt", output);
        assertThat(jobsOf("linkcat_mkt")).isEmpty();
    }

    @Test
    void aHardLinkToAFileOutsideIsRefusedWithoutBeingRead(CapturedOutput output) throws IOException {
        Path secret = Files.createTempFile("outside-hard", ".csv");
        Files.writeString(secret, SECRET + "\n");
        Path dir = folder("hard_mkt", "toys");
        try {
            Files.createLink(dir.resolve("shadow.csv"), secret);
        } catch (FileSystemException | UnsupportedOperationException e) {
            org.junit.jupiter.api.Assumptions.abort("no hard link possible between the temp folders here: " + e);
        }

        Path reason = dir.resolve(".failed/shadow.csv.reason.txt");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(reason));

        assertThat(Files.readString(reason))
                .isEqualTo("hard links are not accepted; copy the file itself into the inbox\n");
        assertThat(Files.readString(secret)).isEqualTo(SECRET + "\n");
        assertNoJobsAndSecretNowhere("hard_mkt", output);
    }

    @Test
    void aDoneOrFailedFolderThatIsALinkOutsideNeverReceivesAFile(CapturedOutput output) throws IOException {
        Path outsideDone = Files.createTempDirectory("outside-done");
        Path accepted = folder("linkdone_mkt", "toys");
        Files.createSymbolicLink(accepted.resolve(".done"), outsideDone);
        drop(accepted, "good.csv", HEADER + "GOOD-1,Thing,1.00,1\n");
        Path outsideFailed = Files.createTempDirectory("outside-failed");
        Path refused = folder("linkfailed_mkt", "toys");
        Files.createSymbolicLink(refused.resolve(".failed"), outsideFailed);
        drop(refused, "bad.csv", "no header\n");

        // two files dropped after them are read one after the other (the oldest first): the polls that read them
        // saw good.csv and bad.csv as well
        for (String later : List.of("after_linkdone_1.csv", "after_linkdone_2.csv")) {
            NotifyBuilder laterRead = RouteSignals.inboxDoneWith(camel, later);
            drop(folder("later_mkt", "toys"), later, HEADER + "LATER-1,Later,1.00,1\n");
            assertThat(laterRead.matches(20, TimeUnit.SECONDS)).as("the inbox route read " + later).isTrue();
        }

        // neither was taken: each stays where it was dropped, nothing went through the links, logged once each
        assertThat(accepted.resolve("good.csv")).exists();
        assertThat(refused.resolve("bad.csv")).exists();
        try (Stream<Path> done = Files.list(outsideDone); Stream<Path> failed = Files.list(outsideFailed)) {
            assertThat(done).isEmpty();
            assertThat(failed).isEmpty();
        }
        assertThat(jobsOf("linkdone_mkt")).isEmpty();
        assertThat(output.getAll()).containsOnlyOnce("inbox: linkdone_mkt/toys/good.csv left where it is: "
                + ".done/ is not a folder inside the inbox")
                .containsOnlyOnce("inbox: linkfailed_mkt/toys/bad.csv left where it is: .failed/ is not a folder "
                        + "inside the inbox");
    }

    /**
     * No job for the marketplace, and the secret in no file, job or log line. A file dropped after the link is
     * read after it (the inbox reads the oldest first): once the route is done with that file, a link the inbox
     * had wrongly read would have made its job already.
     */
    private void assertNoJobsAndSecretNowhere(String marketplace, CapturedOutput output) throws IOException {
        String later = "after_" + marketplace + ".csv";
        NotifyBuilder laterRead = RouteSignals.inboxDoneWith(camel, later);
        drop(folder("later_mkt", "toys"), later, HEADER + "LATER-1,Later,1.00,1\n");
        assertThat(laterRead.matches(20, TimeUnit.SECONDS)).as("the inbox route read " + later).isTrue();
        assertThat(jobsOf(marketplace)).isEmpty();
        try (Stream<Path> files = Files.walk(inbox)) {
            for (Path file : files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                if (linkCount(file) == 1) {
                    assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as(file.toString())
                            .doesNotContain("SECRET-7f3a9c");
                }
            }
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE payload::text LIKE '%SECRET-7f3a9c%' "
                + "OR coalesce(result::text, '') LIKE '%SECRET-7f3a9c%'", Long.class)).isZero();
        assertThat(output.getAll()).doesNotContain("SECRET-7f3a9c");
    }

    private static int linkCount(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
    }

    private List<JsonNode> jobsOf(String marketplace) {
        List<JsonNode> jobs = new java.util.ArrayList<>();
        Api.json(api.get("/jobs?limit=500")).get("jobs").forEach(job -> {
            if (marketplace.equals(job.get("marketplace").asText())) {
                jobs.add(job);
            }
        });
        return jobs;
    }

    private Path folder(String marketplace, String category) throws IOException {
        return Files.createDirectories(inbox.resolve(marketplace).resolve(category));
    }

    private static void drop(Path dir, String name, String content) throws IOException {
        Path staged = Files.createTempFile("staged", ".csv");
        Files.writeString(staged, content);
        Files.move(staged, dir.resolve(name));
    }
}
