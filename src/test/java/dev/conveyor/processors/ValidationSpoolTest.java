package dev.conveyor.processors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A validation that chains a warehouse load hands it the valid rows in a spool, so the file is parsed once; a load
 * without one (made by hand) reads the file itself. Either way the warehouse ends the same.
 */
@ConveyorIntegrationTest
class ValidationSpoolTest extends RunningServiceTest {

    private static final String CSV = """
            sku,title,price,quantity
            SP-1,Red ball,9.90,10
            SP-2,Blue ball,abc,1
            SP-3,"Quoted, with comma",1.00,4
            SP-1,Red ball again,9.95,11
            SP-4,,1.00,2
            """;

    @Test
    void aChainedLoadTakesTheValidRowsFromTheSpoolAndRemovesIt() throws IOException {
        String file = upload("spooled.csv");

        JsonNode validation = api.awaitFinished(api.submit(validation("spool_mkt", file)));
        assertThat(validation.get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        JsonNode load = api.awaitFinished(api.awaitFirstChild(validation));

        assertThat(load.get("status").asText()).isEqualTo("SUCCESS");
        JsonNode result = load.get("result");
        assertThat(result.get("rows_from").asText()).isEqualTo("spool");
        assertThat(result.get("total_rows").asLong()).isEqualTo(5);
        assertThat(result.get("valid_rows").asLong()).isEqualTo(3);
        assertThat(result.get("skipped_invalid_rows").asLong()).isEqualTo(2);
        assertThat(result.get("rows_received").asLong()).isEqualTo(3);
        assertThat(result.get("inserted").asLong()).isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT sku || '|' || title || '|' || price FROM warehouse_listings"
                + " WHERE marketplace = 'spool_mkt' ORDER BY sku", String.class))
                .containsExactly("SP-1|Red ball again|9.95", "SP-3|Quoted, with comma|1.00");
        assertThat(spoolFilesOf(validation.get("job_id").asText())).isEmpty();
    }

    @Test
    void aLoadWithoutASpoolValidatesTheFileAgainAndLoadsTheSameRows() throws IOException {
        String file = upload("by-hand.csv");

        JsonNode load = api.awaitFinished(api.submit("{\"type\":\"warehouse_load\",\"payload\":{\"marketplace\":"
                + "\"spool_by_hand_mkt\",\"category\":\"toys\",\"file\":\"" + file + "\"}}"));

        assertThat(load.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(load.get("result").get("rows_from").asText()).isEqualTo("file");
        assertThat(load.get("result").get("skipped_invalid_rows").asLong()).isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT sku || '|' || title || '|' || price FROM warehouse_listings"
                + " WHERE marketplace = 'spool_by_hand_mkt' ORDER BY sku", String.class))
                .containsExactly("SP-1|Red ball again|9.95", "SP-3|Quoted, with comma|1.00");
    }

    @Test
    void twoTenantsLoadingTheSameSkusKeepTheirOwnRowsWhetherFromTheFileOrTheSpool() throws IOException {
        String file = upload("tenant-default.csv");
        // acme's own upload, in acme's folder: a job names files of its own tenant only
        Path dir = Files.createDirectories(properties.dataDir().resolve("tenants/spool_acme/uploads"));
        Files.writeString(dir.resolve("tenant-acme.csv"), CSV.replace("9.95", "19.95"));
        String[] acme = {"X-Tenant-Id", "spool_acme"};

        // the default tenant's load reads the file; then acme's validation chains a load that reads its spool
        JsonNode mine = api.awaitFinished(api.submit("{\"type\":\"warehouse_load\",\"payload\":{\"marketplace\":"
                + "\"spool_tenant_mkt\",\"category\":\"toys\",\"file\":\"" + file + "\"}}"));
        assertThat(mine.get("status").asText()).isEqualTo("SUCCESS");
        JsonNode validation = api.awaitFinished(api.submit(validation("spool_tenant_mkt", "uploads/tenant-acme.csv"),
                acme), Duration.ofSeconds(30), acme);
        JsonNode theirs = api.awaitFinished(api.awaitFirstChild(validation, acme), Duration.ofSeconds(30), acme);

        assertThat(theirs.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(theirs.get("result").get("rows_from").asText()).isEqualTo("spool");
        // counted against acme's rows only: the default tenant's SP-3 (identical) is not "unchanged" for acme
        assertThat(theirs.get("result").get("inserted").asLong()).isEqualTo(2);
        assertThat(theirs.get("result").get("unchanged").asLong()).isZero();
        assertThat(jdbc.queryForList("SELECT tenant_id || '|' || sku || '|' || price || '|' || source_job_id"
                + " FROM warehouse_listings WHERE marketplace = 'spool_tenant_mkt' ORDER BY tenant_id, sku",
                String.class)).containsExactly(
                "default|SP-1|9.95|" + mine.get("job_id").asText(),
                "default|SP-3|1.00|" + mine.get("job_id").asText(),
                "spool_acme|SP-1|19.95|" + theirs.get("job_id").asText(),
                "spool_acme|SP-3|1.00|" + theirs.get("job_id").asText());
    }

    @Test
    void aValidationWithNoValidRowsLeavesNoSpool() throws IOException {
        Path dir = Files.createDirectories(properties.dataDir().resolve("tenants/default/uploads"));
        Files.writeString(dir.resolve("all-bad.csv"), "sku,title,price,quantity\nB-1,t,x,1\nB-2,t,y,1\n");

        JsonNode validation = api.awaitFinished(api.submit(validation("spool_all_bad_mkt", "uploads/all-bad.csv")));

        assertThat(validation.get("status").asText()).isEqualTo("FAILED");
        assertThat(validation.get("children")).isEmpty();
        assertThat(spoolFilesOf(validation.get("job_id").asText())).isEmpty();
    }

    private String upload(String name) throws IOException {
        Path dir = Files.createDirectories(properties.dataDir().resolve("tenants/default/uploads"));
        Files.writeString(dir.resolve(name), CSV);
        return "uploads/" + name;
    }

    private static String validation(String marketplace, String file) {
        return "{\"type\":\"csv_validation\",\"payload\":{\"marketplace\":\"" + marketplace + "\",\"category\":"
                + "\"toys\",\"file\":\"" + file + "\",\"load_to_warehouse\":true}}";
    }

    private java.util.List<Path> spoolFilesOf(String jobId) throws IOException {
        Path dir = properties.dataDir().resolve("spool");
        if (!Files.isDirectory(dir)) {
            return java.util.List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(jobId)).toList();
        }
    }
}
