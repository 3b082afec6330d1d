package dev.conveyor.job;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import dev.conveyor.support.ConveyorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The set statements find their rows by key whatever the statistics say. A queue table's statistics are stale by
 * nature: here the last ANALYZE saw 3,000 finished jobs, which have since been put back in the queue (or are
 * running), as a burst arriving between two ANALYZEs does. The plan the server caches for a prepared statement
 * (a generic plan, forced here as the JDBC driver's fifth execution gets it) must still look the claimed or ended
 * jobs up by {@code job_id}, not scan every job of a status it believes rare — that scan took 190 ms for a claim of
 * four jobs in the W0 benchmark. Everything happens in one transaction that is rolled back.
 */
@ConveyorIntegrationTest
class ClaimPlanTest {

    @Autowired
    DataSource dataSource;

    @Test
    void aClaimLooksItsJobsUpByIdEvenWhenTheStatisticsSayNothingIsQueued() throws Exception {
        String plan = planWithStaleStatistics("QUEUED", JobStore.CLAIM,
                "'w', now(), 30, '{job_stale_1,job_stale_2}'::text[], '{normal,normal}'::text[], now()");

        assertThat(plan).contains("jobs_job_id_key").doesNotContain("jobs_status_idx").doesNotContain("Seq Scan on jobs");
    }

    @Test
    void aCompletionLooksItsJobsUpByIdEvenWhenTheStatisticsSayNothingIsRunning() throws Exception {
        String plan = planWithStaleStatistics("RUNNING", JobStore.COMPLETE,
                "'{job_stale_1}'::text[], '{w}'::text[], '{1}'::int[], '{SUCCESS}'::text[], '{null}'::text[],"
                        + " '{null}'::text[], '{null}'::text[], '{null}'::text[], '{null}'::float8[]");

        assertThat(plan).contains("jobs_job_id_key").doesNotContain("jobs_status_idx").doesNotContain("Seq Scan on jobs");
    }

    @Test
    void theSetStatementsAreNeverServerSidePreparedSoNoCachedPlanOutlivesTheTableItWasMadeFor() throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            JobStore store = new JobStore(new NamedParameterJdbcTemplate(new SingleConnectionDataSource(connection, true)),
                    Clock.systemUTC());
            // the driver prepares a statement on the server from its fifth execution on (prepareThreshold 5)
            for (int i = 0; i < 8; i++) {
                store.claim(List.of("job_absent_" + i), List.of("normal"), "w", Duration.ofSeconds(30));
                store.complete(List.of(new JobStore.Ending("job_absent_" + i, "w", 1, "SUCCESS", null, null, null,
                        null, null)));
                store.scheduleRetry(List.of(new JobStore.Ending("job_absent_" + i, "w", 1, "boom", null, null, null,
                        "{}", 1.0)));
            }

            List<String> prepared = new ArrayList<>();
            try (Statement sql = connection.createStatement();
                 ResultSet rows = sql.executeQuery("SELECT statement FROM pg_prepared_statements")) {
                while (rows.next()) {
                    prepared.add(rows.getString(1));
                }
            }
            assertThat(prepared).noneMatch(text -> text.contains("UPDATE jobs j SET"));
            // the check can fail: the driver's own statements of this connection are prepared on the server
            try (java.sql.PreparedStatement probe = connection.prepareStatement("SELECT count(*) FROM jobs WHERE job_id = ?")) {
                for (int i = 0; i < 6; i++) {
                    probe.setString(1, "job_absent");
                    probe.executeQuery().close();
                }
            }
            try (Statement sql = connection.createStatement();
                 ResultSet rows = sql.executeQuery("SELECT count(*) FROM pg_prepared_statements"
                         + " WHERE statement LIKE 'SELECT count(*) FROM jobs WHERE job_id%'")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(1);
            }
        }
    }

    private String planWithStaleStatistics(String status, String statement, String arguments) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement sql = connection.createStatement()) {
                sql.execute("""
                        INSERT INTO jobs (id, job_id, type, payload, status, claimed_by, attempts)
                        SELECT gen_random_uuid(), 'job_stale_' || n, 'noop', '{}', 'SUCCESS', 'w', 1
                          FROM generate_series(1, 3000) n
                        """);
                sql.execute("ANALYZE jobs");
                sql.execute("UPDATE jobs SET status = '" + status + "' WHERE job_id LIKE 'job\\_stale\\_%'");
                sql.execute("SET LOCAL plan_cache_mode = force_generic_plan");
                sql.execute("PREPARE set_statement AS " + numbered(statement));
                List<String> lines = new ArrayList<>();
                try (ResultSet rows = sql.executeQuery("EXPLAIN EXECUTE set_statement(" + arguments + ")")) {
                    while (rows.next()) {
                        lines.add(rows.getString(1));
                    }
                }
                sql.execute("DEALLOCATE set_statement");
                return String.join("\n", lines);
            } finally {
                connection.rollback();
            }
        }
    }

    /** The JDBC statement's {@code ?} placeholders as PREPARE's {@code $1, $2, ...}. */
    private static String numbered(String jdbcStatement) {
        StringBuilder numbered = new StringBuilder();
        int parameter = 0;
        for (char c : jdbcStatement.toCharArray()) {
            if (c == '?') {
                numbered.append('$').append(++parameter);
            } else {
                numbered.append(c);
            }
        }
        return numbered.toString();
    }
}
