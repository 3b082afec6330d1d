package dev.conveyor.schedule;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.config.ScheduleProperties;
import dev.conveyor.support.ConveyorIntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a start does with the schedules application.yaml declares, each start played by a {@link DeclaredSchedules}
 * of the declarations it would read, on the shared service's database.
 */
@ConveyorIntegrationTest
class DeclaredSchedulesTest {

    @Autowired
    ScheduleDefinitions definitions;

    @Autowired
    ScheduleStore store;

    @Autowired
    TransactionTemplate tx;

    @Autowired
    ObjectMapper json;

    @Autowired
    Clock clock;

    @Autowired
    ConveyorProperties conveyor;

    @Autowired
    JdbcTemplate jdbc;

    private final String name = "declared-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void deleteIt() {
        jdbc.update("DELETE FROM schedules WHERE name = ?", name);
    }

    @Test
    void aRestartWithTheSameDeclarationKeepsTheNextTickSoMissedTicksFollowTheMisfirePolicy() {
        start(Map.of(name, declared("0 3 * * *")));
        Schedule first = store.find(name).orElseThrow();
        assertThat(first.origin()).isEqualTo("config");
        assertThat(first.tenantId()).isEqualTo(conveyor.defaultTenant());
        // the service stopped before its tick; the row still names that tick when it starts again (paused here
        // only so that the shared service's ticker leaves the row as the test wrote it)
        Instant missed = first.nextRunAt().minus(Duration.ofDays(2));
        jdbc.update("UPDATE schedules SET next_run_at = ?, paused = true WHERE name = ?", Timestamp.from(missed),
                name);

        start(Map.of(name, declared("0 3 * * *")));
        assertThat(store.find(name).orElseThrow().nextRunAt()).isEqualTo(missed);

        start(Map.of(name, declared("0 4 * * *")));
        Schedule changed = store.find(name).orElseThrow();
        assertThat(changed.cron()).isEqualTo("0 4 * * *");
        assertThat(changed.nextRunAt()).as("a new cron starts afresh").isAfter(clock.instant());
    }

    @Test
    void aPauseSurvivesARestartAndADeclarationTakenOutIsDeleted() {
        start(Map.of(name, declared("@hourly")));
        jdbc.update("UPDATE schedules SET paused = true WHERE name = ?", name);
        start(Map.of(name, declared("@hourly")));
        assertThat(store.find(name).orElseThrow().paused()).isTrue();

        start(Map.of());
        assertThat(store.find(name)).isEmpty();
    }

    @Test
    void aBadDeclarationStopsTheStartNamingItsKey() {
        assertThatThrownBy(() -> start(Map.of(name, declared("0 25 * * *"))))
                .hasMessageStartingWith("conveyor.schedules." + name + ": 'cron' hour field '25'");
        assertThat(store.find(name)).isEmpty();
    }

    private void start(Map<String, ScheduleProperties.Declared> declared) {
        ScheduleProperties properties = new ScheduleProperties(declared,
                new ScheduleProperties.Scheduler(1000, Duration.ofSeconds(10)));
        new DeclaredSchedules(properties, definitions, store, tx, json, clock, conveyor).afterSingletonsInstantiated();
    }

    private static ScheduleProperties.Declared declared(String cron) {
        return new ScheduleProperties.Declared(cron, "UTC", Map.of("type", "csv_validation", "payload",
                Map.of("marketplace", "acme", "category", "toys", "csv", "sku,title,price,quantity\nA,B,1,1\n")),
                "run_once");
    }
}
