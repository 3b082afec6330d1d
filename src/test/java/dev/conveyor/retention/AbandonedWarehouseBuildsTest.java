package dev.conveyor.retention;

import java.sql.SQLException;
import java.time.Instant;

import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import dev.conveyor.warehouse.WarehouseBuild;
import dev.conveyor.warehouse.WarehouseBuilds;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retention pass drops a table a validation built for its load once that validation's chain is over, and keeps
 * one whose validation has not run yet (its load is still to come).
 */
@ConveyorIntegrationTest
class AbandonedWarehouseBuildsTest extends RunningServiceTest {

    private static final String VALIDATION = "{\"type\":\"csv_validation\",\"payload\":{\"marketplace\":\"%s\","
            + "\"category\":\"toys\",\"csv\":\"sku,title,price,quantity\\nAB-1,One,1.00,1\\n\"}}";

    @Autowired
    WarehouseBuilds builds;

    @Autowired
    AbandonedWarehouseBuilds abandoned;

    private void build(String validationJobId, String marketplace) throws SQLException {
        try (WarehouseBuild build = builds.start("default", validationJobId, marketplace, "toys", null)
                .orElseThrow()) {
            build.add("AB-1", "One", "1.00", "1");
            assertThat(build.finish()).isTrue();
        }
    }

    @Test
    void aBuildWhoseChainIsOverIsDroppedAndOneWhoseValidationIsStillToRunIsKept() throws SQLException {
        // finished, and chained nothing: no load will ever attach a build of it
        String over = api.awaitFinished(api.submit(VALIDATION.formatted("abandoned_build_over")))
                .get("job_id").asText();
        // due in an hour: it has not run, so its chain is not over
        String waiting = api.submit(VALIDATION.formatted("abandoned_build_waiting")
                .replaceFirst("\\{", "{\"run_at\":\"" + Instant.now().plusSeconds(3600) + "\","));
        build(over, "abandoned_build_over");
        build(waiting, "abandoned_build_waiting");

        abandoned.dropAbandoned();

        assertThat(builds.builtFor()).doesNotContain(over).contains(waiting);
        assertThat(buildTables()).as("a table for every recorded build, none for the dropped one")
                .isEqualTo(builds.builtFor().size());

        api.postJson("/jobs/" + waiting + "/cancel", "");
        abandoned.dropAbandoned();
        assertThat(builds.builtFor()).doesNotContain(waiting);
        assertThat(buildTables()).isEqualTo(builds.builtFor().size());
    }

    private int buildTables() {
        return jdbc.queryForObject("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
                + " AND tablename LIKE 'warehouse\\_build\\_%'", Integer.class);
    }
}
