package dev.conveyor.inbox;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RouteSignals;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Files dropped into the watched folder become jobs, or move aside with a reason; either way they leave. */
@ConveyorIntegrationTest
class InboxTest extends RunningServiceTest {

    private static final String HEADER = "sku,title,price,quantity\n";

    @Autowired
    CamelContext camel;

    Path inbox;

    @BeforeEach
    void setUp() {
        inbox = properties.inbox().dir();
    }

    @Test
    void aDroppedFileEndsAsWarehouseRowsThroughAFinishedChain() throws IOException {
        Path dir = folder("drop_mkt", "electronics");
        NotifyBuilder read = RouteSignals.inboxDoneWith(camel, "listings.csv");
        NotifyBuilder chainRun = RouteSignals.workerFinished(camel, "drop_mkt", 2);
        drop(dir, "listings.csv", HEADER + rows("DROP", 1, 40) + "BAD-1,,abc,1\nBAD-2,Thing,1.00,-3\n");

        // the inbox route's one step made the job and moved the file out of the watched folder
        assertThat(read.matches(30, TimeUnit.SECONDS)).as("the inbox route read listings.csv").isTrue();
        assertThat(dir.resolve(".done/listings.csv")).exists();
        assertThat(dir.resolve("listings.csv")).doesNotExist();
        assertThat(jobsOf("drop_mkt")).filteredOn(job -> job.get("source").asText().equals("inbox")).hasSize(1);

        // the worker routes ran the validation, then the load it was followed by: nothing left to wait for
        assertThat(chainRun.matches(60, TimeUnit.SECONDS)).as("the worker routes ran the validation and its load")
                .isTrue();
        JsonNode validation = api.job(jobsOf("drop_mkt").stream().filter(job -> job.get("source").asText()
                .equals("inbox")).findFirst().orElseThrow().get("job_id").asText());
        assertThat(validation.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(validation.get("result").get("valid_rows").asLong()).isEqualTo(40);
        assertThat(validation.get("result").get("error_rows").asLong()).isEqualTo(2);
        assertThat(validation.get("children")).hasSize(1);
        JsonNode load = api.job(validation.get("children").get(0).asText());
        assertThat(load.get("type").asText()).isEqualTo("warehouse_load");
        assertThat(load.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(load.get("parent_job_id").asText()).isEqualTo(validation.get("job_id").asText());
        assertThat(load.get("correlation_id").asText()).isEqualTo(validation.get("correlation_id").asText());
        assertThat(load.get("result").get("inserted").asLong()).isEqualTo(40);
        assertThat(warehouseRows("drop_mkt")).isEqualTo(40);
        assertThat(jdbc.queryForObject("SELECT price::text FROM warehouse_listings WHERE marketplace = 'drop_mkt' "
                + "AND sku = 'DROP-7'", String.class)).isEqualTo("7.50");

        JsonNode chain = Api.json(api.get("/jobs?correlation_id=" + validation.get("correlation_id").asText()));
        assertThat(chain.get("jobs")).hasSize(2);
    }

    @Test
    void theSameRowsDroppedAgainUnderAnotherNameNeverDuplicateAWarehouseRow() throws IOException {
        Path dir = folder("twice_mkt", "toys");
        String csv = HEADER + rows("TWICE", 1, 25);
        drop(dir, "monday.csv", csv);
        JsonNode first = api.awaitFinished(api.awaitFirstChild(awaitJobOfSource("inbox", "twice_mkt")));
        assertThat(first.get("result").get("inserted").asLong()).isEqualTo(25);

        // the same rows, not the same bytes (a blank line more): identical bytes would be skipped as a duplicate of
        // the first batch (conveyor.inbox.duplicates, InboxDuplicatesTest) and never reach the warehouse
        drop(dir, "tuesday.csv", csv + "\n");
        await().atMost(Duration.ofSeconds(30)).until(() -> loadsOf("twice_mkt").size() == 2
                && loadsOf("twice_mkt").stream().allMatch(job -> Api.isFinal(job.get("status").asText())));
        JsonNode second = loadsOf("twice_mkt").get(0);

        assertThat(second.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(second.get("result").get("inserted").asLong()).isZero();
        assertThat(second.get("result").get("unchanged").asLong()).isEqualTo(25);
        assertThat(warehouseRows("twice_mkt")).isEqualTo(25);
    }

    @Test
    void aHalfWrittenFileIsNotReadUntilItStopsChanging() throws Exception {
        Path dir = folder("slow_mkt", "toys");
        Path file = dir.resolve("growing.csv");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write((HEADER + rows("SLOW", 1, 10)).getBytes(StandardCharsets.UTF_8));
            out.flush();
            // while the writer keeps appending, the file stays where it is and no job exists
            for (int batch = 1; batch <= 8; batch++) {
                int from = batch * 10 + 1;
                pauseLikeASlowWriter();
                out.write(rows("SLOW", from, from + 9).getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertThat(file).exists();
                assertThat(jobsOf("slow_mkt")).isEmpty();
            }
        }

        JsonNode job = awaitJobOfSource("inbox", "slow_mkt");
        assertThat(job.get("result").get("total_rows").asLong()).isEqualTo(90);
        assertThat(job.get("status").asText()).isEqualTo("SUCCESS");
    }

    @Test
    void filesThatCannotBeJobsMoveToFailedWithAOneLineReasonAndTheServiceCarriesOn() throws IOException {
        Path dir = folder("bad_mkt", "toys");
        Map<String, byte[]> files = Map.of(
                "wrong header.csv", "sku,name,cost\nA,B,1\n".getBytes(StandardCharsets.UTF_8),
                "empty.csv", new byte[0],
                "junk.csv", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, 1, 2},
                "latin1.csv", (HEADER + "A,Caf\u00e9,1.00,1\n").getBytes(StandardCharsets.ISO_8859_1),
                "notes.txt", (HEADER + "A,B,1,1\n").getBytes(StandardCharsets.UTF_8),
                "-rf ..\u00e7\u00e3o.csv", "nope\n".getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Files.write(dir.resolve(file.getKey()), file.getValue());
        }
        Files.writeString(inbox.resolve("loose.csv"), HEADER + "A,B,1,1\n");
        Path badFolder = folder("bad mkt", "toys");
        Files.writeString(badFolder.resolve("x.csv"), HEADER + "A,B,1,1\n");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String name : files.keySet()) {
                assertThat(dir.resolve(".failed").resolve(name)).exists();
                assertThat(dir.resolve(".failed").resolve(name + ".reason.txt")).exists();
                assertThat(dir.resolve(name)).doesNotExist();
            }
            assertThat(inbox.resolve(".failed/loose.csv.reason.txt")).exists();
            assertThat(badFolder.resolve(".failed/x.csv.reason.txt")).exists();
        });
        assertThat(reason(dir, "wrong header.csv")).startsWith("wrong header: missing column(s)");
        assertThat(reason(dir, "empty.csv")).startsWith("empty file");
        assertThat(reason(dir, "junk.csv")).startsWith("not a text file");
        assertThat(reason(dir, "latin1.csv")).startsWith("not UTF-8 text");
        assertThat(reason(dir, "notes.txt")).startsWith("not a .csv file");
        assertThat(reason(dir, "-rf ..\u00e7\u00e3o.csv")).startsWith("wrong header");
        assertThat(Files.readString(inbox.resolve(".failed/loose.csv.reason.txt"))).startsWith("in the wrong folder");
        assertThat(Files.readString(badFolder.resolve(".failed/x.csv.reason.txt")))
                .contains("is not a valid marketplace name");
        for (String name : files.keySet()) {
            assertThat(Files.readAllLines(dir.resolve(".failed").resolve(name + ".reason.txt"))).hasSize(1);
        }
        assertThat(jobsOf("bad_mkt")).isEmpty();

        drop(dir, "good after bad \u00fc.csv", HEADER + rows("GOOD", 1, 3));
        assertThat(awaitJobOfSource("inbox", "bad_mkt").get("status").asText()).isEqualTo("SUCCESS");
    }

    @Test
    void afterARestartOnlyNewFilesAreRead() throws Exception {
        Path dir = folder("restart_mkt", "toys");
        drop(dir, "before.csv", HEADER + rows("BEFORE", 1, 5));
        api.awaitFinished(awaitJobOfSource("inbox", "restart_mkt").get("job_id").asText());
        Files.writeString(dir.resolve("rejected.csv"), "no header here\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve(".failed/rejected.csv")));

        camel.getRouteController().stopRoute("inbox");
        Files.writeString(dir.resolve("while stopped.csv"), HEADER + rows("STOPPED", 1, 7));
        NotifyBuilder anyRead = RouteSignals.inboxDone(camel, 1);
        NotifyBuilder sinceRestart = new NotifyBuilder(camel).fromRoute("inbox").whenExactlyDone(2).create();
        camel.getRouteController().startRoute("inbox");
        assertThat(anyRead.matches(30, TimeUnit.SECONDS)).isTrue();

        // a file dropped later is read after any file already there: once the route is done with it, every poll
        // that could have read an old file again has run, and the route has read exactly the two new files
        NotifyBuilder afterRead = RouteSignals.inboxDoneWith(camel, "after.csv");
        drop(dir, "after.csv", HEADER + rows("AFTER", 1, 3));
        assertThat(afterRead.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(sinceRestart.matches()).as("the inbox route read only the two new files").isTrue();
        assertThat(jobsOf("restart_mkt").stream().filter(job -> job.get("source").asText().equals("inbox")))
                .hasSize(3);
        assertThat(dir.resolve(".done/before.csv")).exists();
        assertThat(dir.resolve(".done/while stopped.csv")).exists();
        assertThat(dir.resolve(".done/after.csv")).exists();
        assertThat(dir.resolve(".failed/rejected.csv")).exists();
    }

    @Test
    void aNameAlreadyTakenInDoneOrFailedGetsASuffixAndNothingThereIsReplaced() throws IOException {
        Path dir = folder("clash_mkt", "toys");
        String first = HEADER + rows("CLASH", 1, 2);
        NotifyBuilder firstRead = RouteSignals.inboxDoneWith(camel, "same.csv");
        drop(dir, "same.csv", first);
        assertThat(firstRead.matches(30, TimeUnit.SECONDS)).isTrue();
        NotifyBuilder firstBad = RouteSignals.inboxDoneWith(camel, "bad.csv");
        drop(dir, "bad.csv", "no header\n");
        assertThat(firstBad.matches(30, TimeUnit.SECONDS)).isTrue();

        // the same names again, other content: the files already in .done/ (a job may be reading it) and
        // .failed/ stay as they were, the new ones get <stem>-<8 hex>.<ext>
        drop(dir, "same.csv", HEADER + rows("CLASH", 3, 5));
        drop(dir, "bad.csv", "still no header\n");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(dir.resolve("same.csv")).doesNotExist();
            assertThat(dir.resolve("bad.csv")).doesNotExist();
            assertThat(jobsOf("clash_mkt").stream().filter(job -> job.get("type").asText().equals("csv_validation")))
                    .hasSize(2);
            assertThat(names(dir.resolve(".failed"))).hasSize(4);
        });
        assertThat(Files.readString(dir.resolve(".done/same.csv"))).isEqualTo(first);
        List<String> done = names(dir.resolve(".done"));
        assertThat(done).hasSize(2).contains("same.csv").anyMatch(name -> name.matches("same-[0-9a-f]{8}\\.csv"));
        assertThat(Files.readString(dir.resolve(".failed/bad.csv"))).isEqualTo("no header\n");
        String renamed = names(dir.resolve(".failed")).stream().filter(name -> name.matches("bad-[0-9a-f]{8}\\.csv"))
                .findFirst().orElseThrow();
        assertThat(Files.readString(dir.resolve(".failed").resolve(renamed))).isEqualTo("still no header\n");
        assertThat(Files.readString(dir.resolve(".failed").resolve(renamed + ".reason.txt"))).startsWith("wrong header");
        assertThat(reason(dir, "bad.csv")).startsWith("wrong header");
    }

    @Test
    void aFileReadAgainAfterItsJobWasWrittenIsTheSameJob() throws IOException {
        // what a file put back after its submit (a failure after the job was written), or left in place by a
        // crash, looks like: the same path, size and time read a second time
        Path dir = folder("reread_mkt", "toys");
        NotifyBuilder chainRun = RouteSignals.workerFinished(camel, "reread_mkt", 2);
        drop(dir, "again.csv", HEADER + rows("AGAIN", 1, 3));
        // the validation and its load are done with the file before it is read again
        assertThat(chainRun.matches(60, TimeUnit.SECONDS)).isTrue();
        String jobId = awaitJobOfSource("inbox", "reread_mkt").get("job_id").asText();

        NotifyBuilder secondRead = RouteSignals.inboxDoneWith(camel, "again.csv");
        Files.move(dir.resolve(".done/again.csv"), dir.resolve("again.csv"));
        assertThat(secondRead.matches(30, TimeUnit.SECONDS)).isTrue();

        assertThat(dir.resolve(".done/again.csv")).exists();
        assertThat(jobsOf("reread_mkt").stream().filter(job -> job.get("source").asText().equals("inbox")
                && job.get("type").asText().equals("csv_validation")).map(job -> job.get("job_id").asText()))
                .containsExactly(jobId);
    }

    private static List<String> names(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString()).toList();
        }
    }

    /** The writer's pace is the scenario: it appends more often than the inbox's settle time (300 ms). */
    private static void pauseLikeASlowWriter() {
        await().pollDelay(Duration.ofMillis(150)).atMost(Duration.ofSeconds(1)).until(() -> true);
    }

    private JsonNode awaitJobOfSource(String source, String marketplace) {
        JsonNode summary = await().atMost(Duration.ofSeconds(30)).until(() -> jobsOf(marketplace).stream()
                .filter(job -> job.get("source").asText().equals(source)).findFirst().orElse(null),
                job -> job != null);
        return api.awaitFinished(summary.get("job_id").asText());
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

    private List<JsonNode> loadsOf(String marketplace) {
        return jobsOf(marketplace).stream().filter(job -> job.get("type").asText().equals("warehouse_load"))
                .map(job -> api.job(job.get("job_id").asText())).toList();
    }

    private long warehouseRows(String marketplace) {
        return jdbc.queryForObject("SELECT count(*) FROM warehouse_listings WHERE marketplace = ?", Long.class,
                marketplace);
    }

    private Path folder(String marketplace, String category) throws IOException {
        return Files.createDirectories(inbox.resolve(marketplace).resolve(category));
    }

    /** Writes the file beside the inbox and moves it in whole, as the README tells users to. */
    private static void drop(Path dir, String name, String content) throws IOException {
        Path staged = Files.createTempFile("staged", ".csv");
        Files.writeString(staged, content);
        Files.move(staged, dir.resolve(name));
    }

    private static String reason(Path dir, String name) throws IOException {
        return Files.readString(dir.resolve(".failed").resolve(name + ".reason.txt"));
    }

    private static String rows(String prefix, int from, int to) {
        StringBuilder rows = new StringBuilder();
        for (int i = from; i <= to; i++) {
            rows.append(prefix).append('-').append(i).append(",Item ").append(i).append(',').append(i)
                    .append(".50,").append(i % 7).append('\n');
        }
        return rows.toString();
    }
}
