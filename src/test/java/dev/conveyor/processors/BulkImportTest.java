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

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** bulk_import fetches a file and chains its validation and load: three jobs, one correlation id. */
@ConveyorIntegrationTest
@TestPropertySource(properties = "conveyor.bulk-import.allowed-dir=target/bulk-import-allowed")
class BulkImportTest {

    private static final String CSV = "sku,title,price,quantity\nBI-1,One,1.00,1\nBI-2,Two,2.00,2\nBI-3,,x,3\n";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    HttpServer files;
    Api api;

    @BeforeEach
    void setUp() throws IOException {
        api = new Api(port);
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
        files.start();
    }

    @AfterEach
    void tearDown() {
        files.stop(0);
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
        for (String url : List.of("ftp://example.invalid/x.csv", "file:///etc/passwd", "/etc/passwd", "http:///x")) {
            var response = api.postJson("/jobs", bulkImport(url, "bulk_bad"));
            assertThat(response.statusCode()).as(url).isEqualTo(422);
            assertThat(Api.json(response).get("detail").asText()).as(url).contains("file_url");
        }
        assertThat(api.postJson("/jobs", bulkImport("http://x/y.csv", "bulk_bad").replace("\"csv\"", "\"xml\""))
                .statusCode()).isEqualTo(422);
    }

    @Test
    void aFileTheServerDoesNotHaveFailsTheImportWithTheStatus() {
        String importId = api.submit(bulkImport("http://127.0.0.1:" + files.getAddress().getPort() + "/gone.csv",
                "bulk_gone"));

        JsonNode job = api.awaitFinished(importId);
        assertThat(job.get("status").asText()).isEqualTo("FAILED");
        assertThat(job.get("error_message").asText()).contains("HTTP 404");
        assertThat(job.get("children")).isEmpty();
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
