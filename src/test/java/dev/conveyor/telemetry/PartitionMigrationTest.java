package dev.conveyor.telemetry;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.conveyor.support.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V6 on a database that already has events: every row is kept, each in the partition of its month; the months
 * ahead exist; the primary key and both indexes are the partitioned table's; and a row of a month with no
 * partition still goes in (to the default partition). Flyway is run by hand, first to V5, then to the end.
 */
class PartitionMigrationTest {

    final String schema = "t_mig_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void existingEventsAreKeptEachInItsMonthsPartition() throws SQLException {
        flyway("5").migrate();
        Instant now = Instant.now();
        Map<UUID, Instant> events = new LinkedHashMap<>();
        for (Instant createdAt : List.of(now, now.minus(70, ChronoUnit.DAYS), now.minus(3 * 365, ChronoUnit.DAYS),
                now.plus(400, ChronoUnit.DAYS))) {
            events.put(UUID.randomUUID(), createdAt);
        }
        try (Connection connection = connect()) {
            for (Map.Entry<UUID, Instant> event : events.entrySet()) {
                insert(connection, event.getKey(), event.getValue());
            }
        }

        flyway(null).migrate();

        try (Connection connection = connect()) {
            for (Map.Entry<UUID, Instant> event : events.entrySet()) {
                assertThat(query(connection, "SELECT tableoid::regclass::text FROM job_events WHERE event_id = '"
                        + event.getKey() + "'")).containsExactly(
                        EventPartitions.name(YearMonth.from(event.getValue().atOffset(ZoneOffset.UTC))));
            }
            YearMonth current = YearMonth.now(ZoneOffset.UTC);
            List<String> partitions = query(connection, "SELECT c.relname FROM pg_inherits i "
                    + "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'job_events'::regclass");
            for (int ahead = 0; ahead <= 3; ahead++) {
                assertThat(partitions).contains(EventPartitions.name(current.plusMonths(ahead)));
            }
            assertThat(partitions).contains(EventPartitions.DEFAULT_PARTITION);
            assertThat(query(connection, "SELECT count(*) FROM job_events_default")).containsExactly("0");
            assertThat(query(connection, "SELECT to_regclass('job_events_unpartitioned') IS NULL"))
                    .containsExactly("t");
            assertThat(query(connection, "SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = "
                    + "current_schema() AND tablename = 'job_events' ORDER BY indexname")).satisfiesExactly(
                    index -> assertThat(index).startsWith("job_events_job_idx").contains("(job_id, created_at)"),
                    // V91: the key leads with the time, so new events go to the end of it
                    index -> assertThat(index).startsWith("job_events_pkey").contains("(created_at, event_id)"),
                    index -> assertThat(index).startsWith("job_events_type_idx").contains("(event_type, created_at)"));
            assertThat(query(connection, "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                    + "AND tablename = '" + EventPartitions.name(current) + "' AND indexdef LIKE '%UNIQUE%'"))
                    .singleElement().asString().contains("(created_at, event_id)");

            // a month with no partition: the insert still succeeds, into the default partition
            UUID stranded = UUID.randomUUID();
            insert(connection, stranded, now.minus(2 * 365, ChronoUnit.DAYS));
            assertThat(query(connection, "SELECT tableoid::regclass::text FROM job_events WHERE event_id = '"
                    + stranded + "'")).containsExactly(EventPartitions.DEFAULT_PARTITION);
        }
    }

    private Flyway flyway(String target) {
        var config = Flyway.configure()
                .dataSource(TestDatabase.url(), TestDatabase.user(), TestDatabase.password())
                .schemas(schema)
                .locations("classpath:db/migration");
        if (target != null) {
            config.target(target);
        }
        return config.load();
    }

    private Connection connect() throws SQLException {
        Connection connection = DriverManager.getConnection(TestDatabase.url(), TestDatabase.user(),
                TestDatabase.password());
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET search_path TO " + schema);
        }
        return connection;
    }

    private static void insert(Connection connection, UUID id, Instant createdAt) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO job_events "
                + "(event_id, event_type, job_id, created_at, payload) VALUES (?, 'job.queued', 'job_x', ?, '{}')")) {
            insert.setObject(1, id);
            insert.setTimestamp(2, Timestamp.from(createdAt));
            insert.executeUpdate();
        }
    }

    private static List<String> query(Connection connection, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
