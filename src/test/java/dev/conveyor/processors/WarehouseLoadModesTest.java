package dev.conveyor.processors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load modes through the service: a validation's {@code load_mode} reaches its chained load as {@code mode},
 * and a replace leaves the category with the file's rows only, counting what it deleted in the job result.
 */
@ConveyorIntegrationTest
class WarehouseLoadModesTest extends RunningServiceTest {

    private static final String MARKETPLACE = "modes_replace_mkt";

    @Test
    void aChainedReplaceLeavesTheCategoryWithTheFilesRowsOnlyAndCountsWhatItDeleted() throws IOException {
        String before = upload("before.csv", "sku,title,price,quantity\nR-1,One,1.00,1\nR-2,Two,2.00,2\nR-3,Three,3.00,3\n");
        JsonNode first = api.awaitFinished(api.submit(validation("toys", before, "upsert")));
        JsonNode firstLoad = api.awaitFinished(api.awaitFirstChild(first));
        assertThat(firstLoad.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(firstLoad.get("result").get("inserted").asLong()).isEqualTo(3);
        // another category of the same marketplace, which a replace of toys must not touch
        String games = upload("games.csv", "sku,title,price,quantity\nG-1,Game,5.00,1\n");
        api.awaitFinished(api.awaitFirstChild(api.awaitFinished(api.submit(validation("games", games, null)))));

        String after = upload("after.csv", "sku,title,price,quantity\nR-2,Two,2.50,2\nR-3,Three,3.00,3\nR-4,Four,4.00,4\n");
        JsonNode validation = api.awaitFinished(api.submit(validation("toys", after, "replace")));
        JsonNode load = api.awaitFinished(api.awaitFirstChild(validation));

        assertThat(load.get("status").asText()).isEqualTo("SUCCESS");
        JsonNode result = load.get("result");
        assertThat(result.get("load_path").asText()).isEqualTo("replaced");
        assertThat(result.get("inserted").asLong()).isEqualTo(1);
        assertThat(result.get("updated").asLong()).isEqualTo(1);
        assertThat(result.get("unchanged").asLong()).isEqualTo(1);
        assertThat(result.get("deleted").asLong()).isEqualTo(1);
        assertThat(jdbc.queryForList("SELECT category || '|' || sku || '|' || price FROM warehouse_listings"
                + " WHERE tenant_id = 'default' AND marketplace = '" + MARKETPLACE + "' ORDER BY category, sku",
                String.class)).containsExactly("games|G-1|5.00", "toys|R-2|2.50", "toys|R-3|3.00", "toys|R-4|4.00");
    }

    @Test
    void aModeOtherThanUpsertOrReplaceIsRefusedAtIntake() {
        var response = api.postJson("/jobs", "{\"type\":\"warehouse_load\",\"payload\":{\"marketplace\":\"m\","
                + "\"category\":\"c\",\"file\":\"uploads/x.csv\",\"mode\":\"truncate\"}}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.body()).contains("mode");
    }

    private String upload(String name, String csv) throws IOException {
        Path dir = Files.createDirectories(properties.dataDir().resolve("tenants/default/uploads"));
        Files.writeString(dir.resolve("modes-" + name), csv);
        return "uploads/modes-" + name;
    }

    private static String validation(String category, String file, String loadMode) {
        return "{\"type\":\"csv_validation\",\"payload\":{\"marketplace\":\"" + MARKETPLACE + "\",\"category\":\""
                + category + "\",\"file\":\"" + file + "\",\"load_to_warehouse\":true"
                + (loadMode == null ? "" : ",\"load_mode\":\"" + loadMode + "\"") + "}}";
    }
}
