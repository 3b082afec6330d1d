package dev.conveyor.schedule;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.conveyor.support.ConveyorInstance;
import dev.conveyor.support.ServiceProcess;
import dev.conveyor.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A schedule every second, for a minute, on two packaged services sharing one database, one of which is killed
 * (SIGKILL, mid-flight: it may hold a schedule's row lock in an open transaction) a third of the way in: every
 * second of the minute gets exactly one job, before, across and after the kill. The survivor takes the ticks over
 * within the misfire grace, so none is missed.
 */
@Tag("slow") // two packaged services started as processes, one killed
class ScheduleKillIT {

    private static final String NAME = "every-second";
    private static final String KEY = "schedule:" + NAME + ":";

    @Test
    void aScheduleEverySecondMakesOneJobPerTickForAMinuteAcrossAKillNine() throws Exception {
        String schema = ConveyorInstance.newSchema();
        Map<String, String> env = Map.of("DB_URL", TestDatabase.url(), "DB_USER", TestDatabase.user(),
                "DB_PASSWORD", TestDatabase.password(), "DB_SCHEMA", schema, "SCHEDULER_POLL_MS", "300",
                // a tick the survivor fires late, within the grace, still gets its job: 30 s rather than the default
                // 10 s keeps "none missed" true on a machine busy with the slow tier's other fork
                "SCHEDULER_MISFIRE_GRACE", "30s", "INBOX_ENABLED", "false");
        try (ServiceProcess victim = ServiceProcess.start("schedule-kill-a", ServiceProcess.freePort(), env);
             ServiceProcess survivor = ServiceProcess.start("schedule-kill-b", ServiceProcess.freePort(), env)) {
            HttpResponse<String> put = victim.api().send("PUT", "/schedules/" + NAME,
                    HttpRequest.BodyPublishers.ofString("""
                            {"cron": "* * * * * *", "misfire": "skip", "job": {"type": "csv_validation", "payload":
                             {"marketplace": "kill_mkt", "category": "toys",
                              "csv": "sku,title,price,quantity\\nSKU-1,Ball,1.50,2\\n"}}}"""),
                    "Content-Type", "application/json");
            assertThat(put.statusCode()).as(put.body()).isIn(200, 201);
            Instant start = Instant.now();

            await().atMost(Duration.ofSeconds(60)).until(() -> ticks(schema).size() >= 20);
            victim.kill();
            Instant killed = Instant.now();
            await().atMost(Duration.ofSeconds(90)).until(() -> Duration.between(start, Instant.now()).toSeconds() >= 60
                    && ticks(schema).stream().filter(tick -> tick.isAfter(killed)).count() >= 30);

            // the schedule goes on firing while the test reads: the jobs and their ticks come from one statement,
            // so a tick fired between two reads cannot make them disagree
            List<String> keys = scheduleJobKeys(schema);
            assertThat(keys).as("every job the schedule made carries its tick").allSatisfy(key ->
                    assertThat(key).startsWith(KEY));
            List<Instant> ticks = keys.stream().map(key -> Instant.parse(key.substring(KEY.length()))).toList();
            Instant first = ticks.get(0);
            Instant last = ticks.get(ticks.size() - 1);
            assertThat(ticks).as("one job for every second from %s to %s, across the kill at %s", first, last, killed)
                    .doesNotHaveDuplicates()
                    .hasSize((int) Duration.between(first, last).toSeconds() + 1);
            assertThat(Duration.between(first, last)).isGreaterThanOrEqualTo(Duration.ofSeconds(55));
        } finally {
            ConveyorInstance.dropSchema(schema);
        }
    }

    /** The ticks that made a job, from their idempotency keys, in order. */
    private static List<Instant> ticks(String schema) throws SQLException {
        List<Instant> ticks = new ArrayList<>();
        try (Connection db = connect();
             PreparedStatement query = db.prepareStatement("SELECT substring(idempotency_key from "
                     + (KEY.length() + 1) + ") FROM " + schema + ".jobs WHERE idempotency_key LIKE ? ORDER BY 1")) {
            query.setString(1, KEY + "%");
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ticks.add(Instant.parse(rows.getString(1)));
                }
            }
        }
        return ticks;
    }

    /** The idempotency key of every job a schedule made (source 'schedule'), null ones included, in order. */
    private static List<String> scheduleJobKeys(String schema) throws SQLException {
        List<String> keys = new ArrayList<>();
        try (Connection db = connect();
             PreparedStatement query = db.prepareStatement("SELECT idempotency_key FROM " + schema + ".jobs "
                     + "WHERE source = 'schedule' ORDER BY 1")) {
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    keys.add(String.valueOf(rows.getString(1)));
                }
            }
        }
        return keys;
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(TestDatabase.url(), TestDatabase.user(), TestDatabase.password());
    }
}
