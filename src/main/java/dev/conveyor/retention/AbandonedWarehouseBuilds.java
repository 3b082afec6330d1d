package dev.conveyor.retention;

import java.sql.SQLException;
import java.util.List;

import dev.conveyor.warehouse.WarehouseBuilds;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Drops the warehouse tables that validations built for loads that will never attach them (see
 * {@link WarehouseBuilds}): the validation is final with its follow-ups created, and no job it chained is waiting or
 * running — its load was cancelled, failed, dead-lettered, or the validation's batch was cancelled. A crash between a
 * build's commit and its load leaves nothing to drop here: the validation is then still RUNNING, and its retry replaces
 * the build. A load replayed after its build was dropped loads from its spool or its file. Run with the data retention
 * (routes/data-retention.camel.yaml): at start-up and every retention period; safe from every instance at once.
 */
@Component
public class AbandonedWarehouseBuilds {

    // Parameters: 1 the validation job, 2 the validation job.
    private static final String CHAIN_IS_OVER = """
            SELECT NOT EXISTS (SELECT 1 FROM jobs WHERE job_id = ?
                                  AND (status IN ('QUEUED', 'RUNNING', 'RETRYING') OR follow_ups IS NOT NULL))
               AND NOT EXISTS (SELECT 1 FROM jobs WHERE parent_job_id = ?
                                  AND status IN ('QUEUED', 'RUNNING', 'RETRYING'))""";

    private final WarehouseBuilds builds;
    private final JdbcTemplate jdbc;

    public AbandonedWarehouseBuilds(WarehouseBuilds builds, JdbcTemplate jdbc) {
        this.builds = builds;
        this.jdbc = jdbc;
    }

    /** @return how many builds were dropped */
    public int dropAbandoned() throws SQLException {
        int dropped = 0;
        List<String> validations = builds.builtFor();
        for (String validation : validations) {
            Boolean over = jdbc.queryForObject(CHAIN_IS_OVER, Boolean.class, validation, validation);
            if (Boolean.TRUE.equals(over) && builds.drop(validation)) {
                dropped++;
            }
        }
        return dropped;
    }
}
