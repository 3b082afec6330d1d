package dev.conveyor.inbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Brazilian Excel exports end to end: samples/listings-excel-br.csv (semicolons, decimal commas, Windows-1252)
 * and samples/listings.xlsx leave the warehouse exactly as their UTF-8 comma twin samples/listings.csv does; and
 * what is not a CSV or an .xlsx is refused at intake, upload and inbox alike, with what to send.
 */
@ConveyorIntegrationTest
class SpreadsheetIntakeTest extends RunningServiceTest {

    private static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private static final Path SAMPLES = Path.of("samples");

    Path inbox;

    @BeforeEach
    void setUp() {
        inbox = properties.inbox().dir();
    }

    @Test
    void theExcelExportsLoadTheSameWarehouseRowsAsTheirUtf8CommaTwin() throws IOException {
        Path dir = Files.createDirectories(inbox.resolve("mercado_livre").resolve("electronics"));
        Set<String> seen = new HashSet<>();

        JsonNode csv = dropAndAwaitChain(dir, "listings.csv", seen);
        assertThat(csv.get("load").get("result").get("inserted").asLong()).isEqualTo(5);
        List<String> rows = warehouse();
        assertThat(rows).containsExactly(
                "ML-1001|Câmera digital 20MP|1299.90|12",
                "ML-1002|Fone de ouvido Bluetooth|199.90|150",
                "ML-1003|Carregador USB-C 65W|89.50|300",
                "ML-1004|Cabo HDMI 2m, 4K|35.00|500",
                "ML-1005|Smartphone 128GB|2499.00|8");
        assertThat(csv.get("validation").get("result").get("file_format").get("delimiter").asText()).isEqualTo(",");

        // the same rows from Excel on Brazilian Windows: nothing in the warehouse changes
        JsonNode br = dropAndAwaitChain(dir, "listings-excel-br.csv", seen);
        JsonNode format = br.get("validation").get("result").get("file_format");
        assertThat(format.get("type").asText()).isEqualTo("csv");
        assertThat(format.get("delimiter").asText()).isEqualTo(";");
        assertThat(format.get("delimiter_from").asText()).isEqualTo("header");
        assertThat(format.get("encoding").asText()).isEqualTo("windows-1252");
        assertThat(format.get("decimal_separator").asText()).isEqualTo(",");
        assertUnchanged(br.get("load"));
        assertThat(warehouse()).isEqualTo(rows);

        // and from the workbook itself
        JsonNode xlsx = dropAndAwaitChain(dir, "listings.xlsx", seen);
        assertThat(xlsx.get("validation").get("result").get("file_format").get("type").asText()).isEqualTo("xlsx");
        assertThat(xlsx.get("validation").get("result").get("file_format").get("sheet").asText())
                .isEqualTo("Anúncios");
        assertUnchanged(xlsx.get("load"));
        assertThat(warehouse()).isEqualTo(rows);
        assertThat(dir.resolve(".done/listings.xlsx")).exists();
    }

    @Test
    void anXlsxUploadIsReadAsAWorkbookAndASemicolonUploadJustWorks() throws IOException {
        JsonNode xlsx = uploadAndAwait("mercado_livre", XLSX, Files.readAllBytes(SAMPLES.resolve("listings.xlsx")));
        assertThat(xlsx.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(xlsx.get("result").get("valid_rows").asLong()).isEqualTo(5);
        assertThat(xlsx.get("result").get("file_format").get("type").asText()).isEqualTo("xlsx");

        // sent as octet-stream or even as text/csv, the bytes decide
        JsonNode mislabelled = uploadAndAwait("mercado_livre", "text/csv",
                Files.readAllBytes(SAMPLES.resolve("listings.xlsx")));
        assertThat(mislabelled.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(mislabelled.get("result").get("file_format").get("type").asText()).isEqualTo("xlsx");

        JsonNode br = uploadAndAwait("mercado_livre", "text/csv",
                Files.readAllBytes(SAMPLES.resolve("listings-excel-br.csv")));
        assertThat(br.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(br.get("result").get("file_format").get("delimiter").asText()).isEqualTo(";");

        // the default rule set reads UTF-8 only: the failure says what to set, and where
        JsonNode latin = uploadAndAwait("acme", "text/csv", Files.readAllBytes(SAMPLES.resolve("listings-excel-br.csv")));
        assertThat(latin.get("status").asText()).isEqualTo("FAILED");
        assertThat(latin.get("error_message").asText()).contains("not valid UTF-8")
                .contains("set encoding: windows-1252 in the rule set default (classpath:rules/default.yaml)");
    }

    @Test
    void aPdfOrAZipThatIsNotAWorkbookIsRefusedAtUploadWithWhatToSend() throws IOException {
        long before = uploadedFiles();
        byte[] pdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n".getBytes(StandardCharsets.ISO_8859_1);
        HttpResponse<String> asCsv = upload("mercado_livre", "text/csv", pdf);
        assertThat(asCsv.statusCode()).isEqualTo(415);
        assertThat(asCsv.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(Api.json(asCsv).get("detail").asText()).isEqualTo("this is a PDF document, not a spreadsheet; "
                + "send the listings as a CSV file (text/csv) or an .xlsx workbook");

        HttpResponse<String> zip = upload("mercado_livre", XLSX, zipOf("listings.csv", "sku,title,price,quantity\n"));
        assertThat(zip.statusCode()).isEqualTo(415);
        assertThat(Api.json(zip).get("detail").asText()).startsWith("this is a zip archive, not an .xlsx workbook");

        HttpResponse<String> pdfType = upload("mercado_livre", "application/pdf", pdf);
        assertThat(pdfType.statusCode()).isEqualTo(415);
        assertThat(Api.json(pdfType).get("detail").asText()).contains("Content-Type: text/csv").contains(XLSX);

        assertThat(uploadedFiles()).isEqualTo(before);
    }

    @Test
    void theInboxRefusesAPdfAndAZipWithAReasonAndReadsAWorkbookWhateverItsName() throws IOException {
        Path dir = Files.createDirectories(inbox.resolve("xlsx_inbox_mkt").resolve("toys"));
        stage(dir, "catalog.csv", "%PDF-1.4\n%binary".getBytes(StandardCharsets.ISO_8859_1));
        stage(dir, "archive.xlsx", zipOf("listings.csv", "sku,title,price,quantity\n"));
        stage(dir, "export.csv", Files.readAllBytes(SAMPLES.resolve("listings.xlsx")));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(dir.resolve(".failed/catalog.csv.reason.txt")).exists();
            assertThat(dir.resolve(".failed/archive.xlsx.reason.txt")).exists();
            assertThat(dir.resolve(".done/export.csv")).exists();
        });
        assertThat(Files.readString(dir.resolve(".failed/catalog.csv.reason.txt")))
                .startsWith("this is a PDF document, not a spreadsheet; send");
        assertThat(Files.readString(dir.resolve(".failed/archive.xlsx.reason.txt")))
                .startsWith("this is a zip archive, not an .xlsx workbook");

        JsonNode job = await().atMost(Duration.ofSeconds(30)).until(() -> jobsOf("xlsx_inbox_mkt", "csv_validation")
                .stream().map(j -> api.job(j.get("job_id").asText())).filter(j -> Api.isFinal(j.get("status").asText()))
                .findFirst().orElse(null), j -> j != null);
        assertThat(job.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(job.get("result").get("file_format").get("type").asText()).isEqualTo("xlsx");
        assertThat(job.get("result").get("valid_rows").asLong()).isEqualTo(5);
    }

    @Test
    void theInboxRefusesASheetWithAWrongHeaderBeforeItIsAJob() throws IOException {
        Path dir = Files.createDirectories(inbox.resolve("xlsx_header_mkt").resolve("toys"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        dev.conveyor.samples.SampleFiles.writeXlsx(List.of(List.of("sku", "name", "cost"), List.of("A", "B", "1")), out);
        stage(dir, "wrong.xlsx", out.toByteArray());
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve(".failed/wrong.xlsx.reason.txt")));
        assertThat(Files.readString(dir.resolve(".failed/wrong.xlsx.reason.txt")))
                .startsWith("wrong header: missing column(s) title,price,quantity")
                .contains("(sheet 'Anúncios', row 1)");
        assertThat(jobsOf("xlsx_header_mkt", "csv_validation")).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    /** Drops a sample in the folder and waits for its validation and the load it chains. */
    private JsonNode dropAndAwaitChain(Path dir, String sample, Set<String> seen) throws IOException {
        stage(dir, sample, Files.readAllBytes(SAMPLES.resolve(sample)));
        JsonNode summary = await().atMost(Duration.ofSeconds(30)).until(() -> jobsOf("mercado_livre", "csv_validation")
                .stream().filter(j -> j.get("source").asText().equals("inbox"))
                .filter(j -> !seen.contains(j.get("job_id").asText())).findFirst().orElse(null),
                j -> j != null);
        seen.add(summary.get("job_id").asText());
        JsonNode validation = api.awaitFinished(summary.get("job_id").asText());
        assertThat(validation.get("status").asText()).as(sample + ": " + validation).isEqualTo("SUCCESS");
        assertThat(validation.get("result").get("valid_rows").asLong()).isEqualTo(5);
        JsonNode load = api.awaitFinished(api.awaitFirstChild(validation));
        assertThat(load.get("status").asText()).as(sample).isEqualTo("SUCCESS");
        assertThat(load.get("result").get("rows_from").asText()).isEqualTo("spool");
        com.fasterxml.jackson.databind.node.ObjectNode both = Api.json("{}").deepCopy();
        both.set("validation", validation);
        both.set("load", load);
        return both;
    }

    private static void assertUnchanged(JsonNode load) {
        assertThat(load.get("result").get("inserted").asLong()).isZero();
        assertThat(load.get("result").get("updated").asLong()).isZero();
        assertThat(load.get("result").get("unchanged").asLong()).isEqualTo(5);
    }

    private List<String> warehouse() {
        return jdbc.queryForList("SELECT sku || '|' || title || '|' || price::text || '|' || quantity"
                + " FROM warehouse_listings WHERE marketplace = 'mercado_livre' ORDER BY sku", String.class);
    }

    private List<JsonNode> jobsOf(String marketplace, String type) {
        List<JsonNode> jobs = new ArrayList<>();
        Api.json(api.get("/jobs?limit=500")).get("jobs").forEach(job -> {
            if (marketplace.equals(job.get("marketplace").asText()) && type.equals(job.get("type").asText())) {
                jobs.add(job);
            }
        });
        return jobs;
    }

    private HttpResponse<String> upload(String marketplace, String contentType, byte[] body) {
        return api.post("/jobs/csv?marketplace=" + marketplace + "&category=electronics", contentType,
                HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private JsonNode uploadAndAwait(String marketplace, String contentType, byte[] body) {
        HttpResponse<String> response = upload(marketplace, contentType, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return api.awaitFinished(Api.json(response).get("job_id").asText());
    }

    private long uploadedFiles() throws IOException {
        Path dir = properties.dataDir().resolve("tenants/default/uploads");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    /** Writes beside the inbox, then moves in whole, as the README tells users to. */
    private static void stage(Path dir, String name, byte[] content) throws IOException {
        Path staged = Files.createTempFile("staged", ".part");
        Files.write(staged, content);
        Files.move(staged, dir.resolve(name));
    }

    private static byte[] zipOf(String entry, String content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(entry));
            zip.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
