package dev.conveyor.processors;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * bulk_import fetches a file and chains its validation and load: three jobs, one correlation id. Its fetches are
 * fenced: only allow-listed hosts, only public addresses unless allowed by CIDR (here 127.0.0.1, where the stub
 * server listens, is), no redirects, a byte cap, a deadline, and no fetched content in error messages.
 */
@Tag("slow") // a Spring context of its own (bulk import limits and hosts)
@ConveyorIntegrationTest
@TestPropertySource(properties = {
        "conveyor.bulk-import.allowed-dir=target/bulk-import-allowed",
        // the internal addresses are allow-listed as hosts so that the address rules, not the host list, refuse them
        "conveyor.bulk-import.allowed-hosts=127.0.0.1,127.0.0.2,169.254.169.254,::ffff:169.254.169.254,10.1.2.3,"
                + "192.168.1.10,0.0.0.0,*.allowed.test",
        "conveyor.bulk-import.allowed-addresses=127.0.0.1/32",
        "conveyor.bulk-import.max-bytes=1000",
        "conveyor.bulk-import.timeout=2s",
        // transient failures (a 500, the deadline) are retried once, quickly
        "conveyor.retry.types.bulk_import.max-attempts=2",
        "conveyor.retry.types.bulk_import.backoff-initial=100ms"})
class BulkImportTest extends RunningServiceTest {

    private static final String CSV = "sku,title,price,quantity\nBI-1,One,1.00,1\nBI-2,Two,2.00,2\nBI-3,,x,3\n";
    private static final String SECRET = "SECRET-FROM-THE-STUB-7f3a";

    HttpServer files;
    final AtomicInteger redirectTargetHits = new AtomicInteger();

    @BeforeEach
    void setUp() throws IOException {
        files = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        files.createContext("/listings.csv", exchange -> {
            byte[] body = CSV.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        files.createContext("/gone.csv", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        files.createContext("/redirect.csv", exchange -> {
            exchange.getResponseHeaders().add("Location",
                    "http://127.0.0.1:" + files.getAddress().getPort() + "/internal.csv");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        files.createContext("/internal.csv", exchange -> {
            redirectTargetHits.incrementAndGet();
            respond(exchange, 200, CSV, true);
        });
        files.createContext("/big.csv", exchange -> respond(exchange, 200, big(), true));
        files.createContext("/big-chunked.csv", exchange -> respond(exchange, 200, big(), false));
        files.createContext("/leaky.csv", exchange -> respond(exchange, 500, "stack trace with " + SECRET, true));
        files.createContext("/forbidden.csv", exchange -> respond(exchange, 403, "token=" + SECRET, true));
        files.createContext("/drip.csv", exchange -> {
            // a server that never finishes: a line every 100 ms until the client hangs up
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("sku,title,price,quantity\n".getBytes(StandardCharsets.UTF_8));
                for (int i = 0; i < 600; i++) {
                    out.write(("D-" + i + ",t,1.00,1\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
            } catch (IOException hungUp) {
                // the importer gave up: what this stub is for
            }
        });
        // the dripping handler must not hold up the others
        files.setExecutor(Executors.newCachedThreadPool());
        files.start();
    }

    @AfterEach
    void tearDown() {
        files.stop(0);
    }

    private static String big() {
        return "sku,title,price,quantity\n" + "B-1,a title long enough to add up,1.00,1\n".repeat(100);
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, String text,
                                boolean contentLength) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, contentLength ? body.length : 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        } catch (IOException hungUp) {
            // the importer stopped reading (over the cap): expected
        }
    }

    private String stub(String path) {
        return "http://127.0.0.1:" + files.getAddress().getPort() + path;
    }

    @Test
    void anHttpFileIsFetchedValidatedAndLoadedAsAChainOfThreeJobs() {
        String importId = api.submit(bulkImport("http://127.0.0.1:" + files.getAddress().getPort() + "/listings.csv",
                "bulk_http"));

        JsonNode imported = api.awaitFinished(importId);
        assertThat(imported.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(imported.get("lane").asText()).isEqualTo("bulk");
        List<JsonNode> chain = awaitChain(importId, 3);

        assertThat(chain).extracting(job -> job.get("type").asText())
                .containsExactlyInAnyOrder("bulk_import", "csv_validation", "warehouse_load");
        JsonNode validation = chain.stream().filter(j -> j.get("type").asText().equals("csv_validation")).findFirst()
                .orElseThrow();
        assertThat(validation.get("parent_job_id").asText()).isEqualTo(importId);
        assertThat(validation.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM warehouse_listings WHERE marketplace = 'bulk_http'",
                Long.class)).isEqualTo(2);
    }

    @Test
    void aFileUnderTheAllowedDirectoryIsImported() throws IOException {
        Path allowed = Files.createDirectories(Path.of("target/bulk-import-allowed"));
        Path file = allowed.resolve("local.csv");
        Files.writeString(file, CSV);

        String importId = api.submit(bulkImport(file.toAbsolutePath().toUri().toString(), "bulk_local"));

        awaitChain(importId, 3);
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM warehouse_listings WHERE marketplace = 'bulk_local'", Long.class) == 2);
    }

    @Test
    void otherSchemesAndPathsOutsideTheAllowedDirectoryAre422() {
        for (String url : List.of("ftp://example.invalid/x.csv", "file:///etc/passwd", "/etc/passwd", "http:///x",
                "file://fileserver/share/x.csv", "file:x.csv", "gopher://127.0.0.1:6379/_INFO")) {
            var response = api.postJson("/jobs", bulkImport(url, "bulk_bad"));
            assertThat(response.statusCode()).as(url).isEqualTo(422);
            assertThat(Api.json(response).get("detail").asText()).as(url).contains("file_url");
        }
        assertThat(api.postJson("/jobs", bulkImport("http://x/y.csv", "bulk_bad").replace("\"csv\"", "\"xml\""))
                .statusCode()).isEqualTo(422);
    }

    @Test
    void aFileTheServerDoesNotHaveFailsTheImportWithTheStatus() {
        String longQuery = "?q=" + "x".repeat(1000);
        String importId = api.submit(bulkImport(stub("/gone.csv" + longQuery), "bulk_gone"));

        JsonNode job = api.awaitFinished(importId);
        assertThat(job.get("status").asText()).isEqualTo("FAILED");
        assertThat(job.get("error_message").asText()).contains("HTTP 404 Not Found");
        // the URL is echoed, cut at 200 characters
        assertThat(job.get("error_message").asText()).contains(stub("/gone.csv?q=xxx")).doesNotContain(longQuery)
                .hasSizeLessThan(300);
        assertThat(job.get("children")).isEmpty();
    }

    @Test
    void remoteImportIsOffUntilHostsAreAllowedAndOtherHostsAre422() {
        for (String url : List.of("http://example.com/x.csv", "https://files.example.org/x.csv",
                "http://allowed.test/x.csv", "http://localhost:" + files.getAddress().getPort() + "/listings.csv")) {
            var response = api.postJson("/jobs", bulkImport(url, "bulk_host"));
            assertThat(response.statusCode()).as(url).isEqualTo(422);
            assertThat(Api.json(response).get("detail").asText()).as(url)
                    .contains("is not in conveyor.bulk-import.allowed-hosts (BULK_IMPORT_ALLOWED_HOSTS)");
        }
    }

    @Test
    void internalAddressesAre422EvenForAnAllowedHost() {
        for (String url : List.of(
                "http://127.0.0.2:" + files.getAddress().getPort() + "/listings.csv", // loopback, not 127.0.0.1/32
                "http://169.254.169.254/latest/meta-data/iam/security-credentials/",  // cloud metadata
                "http://[::ffff:169.254.169.254]/latest/meta-data/",                    // the same, IPv4-mapped
                "http://10.1.2.3/x.csv", "http://192.168.1.10/x.csv", "http://0.0.0.0:8080/actuator/env")) {
            var response = api.postJson("/jobs", bulkImport(url, "bulk_internal"));
            assertThat(response.statusCode()).as(url).isEqualTo(422);
            assertThat(Api.json(response).get("detail").asText()).as(url)
                    .contains("an internal address")
                    .contains("conveyor.bulk-import.allowed-addresses");
        }
    }

    @Test
    void aRedirectIsNotFollowed() {
        JsonNode job = api.awaitFinished(api.submit(bulkImport(stub("/redirect.csv"), "bulk_redirect")));

        assertThat(job.get("status").asText()).isEqualTo("FAILED");
        assertThat(job.get("error_message").asText()).contains("HTTP 302").contains("redirects are not followed");
        assertThat(redirectTargetHits).hasValue(0);
        assertThat(job.get("children")).isEmpty();
    }

    @Test
    void aBodyOverTheCapFailsTheImportAndLeavesNoFile() throws IOException {
        for (String path : List.of("/big.csv", "/big-chunked.csv")) {
            String importId = api.submit(bulkImport(stub(path), "bulk_big"));
            JsonNode job = api.awaitFinished(importId);

            assertThat(job.get("status").asText()).as(path).isEqualTo("FAILED");
            assertThat(job.get("error_message").asText()).as(path)
                    .contains("larger than the limit of 1000 bytes (conveyor.bulk-import.max-bytes)");
            assertThat(importFilesOf(importId)).as(path).isEmpty();
        }
    }

    @Test
    void whatTheServerAnswersNeverReachesTheErrorMessage() {
        JsonNode failed = api.awaitFinished(api.submit(bulkImport(stub("/leaky.csv"), "bulk_leaky")));
        JsonNode refused = api.awaitFinished(api.submit(bulkImport(stub("/forbidden.csv"), "bulk_leaky")));

        assertThat(failed.get("status").asText()).isIn("FAILED", "DEAD_LETTERED");
        assertThat(failed.get("error_message").asText()).contains("HTTP 500 Internal Server Error");
        assertThat(refused.get("status").asText()).isEqualTo("FAILED");
        assertThat(refused.get("error_message").asText()).contains("HTTP 403 Forbidden");
        for (JsonNode job : List.of(failed, refused)) {
            String id = job.get("job_id").asText();
            assertThat(api.get("/jobs/" + id).body()).doesNotContain(SECRET);
            assertThat(api.get("/jobs/" + id + "/events").body()).doesNotContain(SECRET);
        }
    }

    @Test
    void aDownloadThatOutlastsTheTimeoutFails() {
        String importId = api.submit(bulkImport(stub("/drip.csv"), "bulk_drip"));
        JsonNode job = api.awaitFinished(importId, Duration.ofSeconds(30));

        assertThat(job.get("status").asText()).isIn("FAILED", "DEAD_LETTERED");
        assertThat(job.get("error_message").asText()).contains("did not finish within conveyor.bulk-import.timeout");
        assertThat(importFilesOf(importId)).isEmpty();
    }

    private List<Path> importFilesOf(String jobId) {
        Path imports = properties.dataDir().resolve("tenants/default/imports");
        if (!Files.isDirectory(imports)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(imports)) {
            return list.filter(p -> p.getFileName().toString().startsWith(jobId)).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<JsonNode> awaitChain(String correlationId, int size) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<JsonNode> jobs = new ArrayList<>();
            Api.json(api.get("/jobs?correlation_id=" + correlationId)).get("jobs").forEach(jobs::add);
            return jobs;
        }, jobs -> jobs.size() == size && jobs.stream().allMatch(j -> Api.isFinal(j.get("status").asText())));
    }

    private static String bulkImport(String url, String marketplace) {
        return "{\"type\":\"bulk_import\",\"payload\":{\"file_url\":\"" + url + "\",\"format\":\"csv\","
                + "\"marketplace\":\"" + marketplace + "\",\"category\":\"toys\"}}";
    }
}
