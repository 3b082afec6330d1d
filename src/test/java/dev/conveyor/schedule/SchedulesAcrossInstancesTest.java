package dev.conveyor.schedule;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorInstance;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A schedule declared in application.yaml, firing every second on two instances of one database, then on the one
 * left after the other stopped: every second between gets exactly one job, none twice and none left out. The API
 * lists it with its next tick and refuses to replace or delete it (the file owns it).
 */
@Tag("slow") // two service instances of its own, on a schema of their own
class SchedulesAcrossInstancesTest {

    private static final String NAME = "every-second";
    private static final String KEY = "schedule:" + NAME + ":";

    private final String schema = ConveyorInstance.newSchema();
    private ConveyorInstance first;
    private ConveyorInstance second;

    @AfterEach
    void stop() {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
        ConveyorInstance.dropSchema(schema);
    }

    @Test
    void aScheduleEverySecondMakesOneJobPerTickAcrossTwoInstancesAndAfterOneStops() {
        first = ConveyorInstance.start("sched-a", schema, properties());
        second = ConveyorInstance.start("sched-b", schema, properties());
        JdbcTemplate jdbc = second.jdbc();
        // both tickers have run a whole pass: from here on, both race for every tick
        NotifyBuilder firstPolls = new NotifyBuilder(first.bean(CamelContext.class)).fromRoute("schedules")
                .whenDone(2).create();
        NotifyBuilder secondPolls = new NotifyBuilder(second.bean(CamelContext.class)).fromRoute("schedules")
                .whenDone(2).create();
        assertThat(firstPolls.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(secondPolls.matches(20, TimeUnit.SECONDS)).isTrue();
        Instant bothUp = Instant.now();

        // declared in the configuration: listed with its next tick, and the file's to change, not the API's
        JsonNode listed = Api.json(second.api().get("/schedules")).get("schedules").get(0);
        assertThat(listed.get("name").asText()).isEqualTo(NAME);
        assertThat(listed.get("origin").asText()).isEqualTo("config");
        assertThat(listed.get("next_run_at").isTextual()).isTrue();
        HttpResponse<String> replaced = second.api().send("PUT", "/schedules/" + NAME,
                HttpRequest.BodyPublishers.ofString("{\"cron\":\"@daily\",\"job\":{\"type\":\"noop\"}}"),
                "Content-Type", "application/json");
        assertThat(replaced.statusCode()).isEqualTo(409);
        assertThat(Api.json(replaced).get("detail").asText()).contains("declared in application.yaml");
        assertThat(second.api().delete("/schedules/" + NAME).statusCode()).isEqualTo(409);

        await().atMost(Duration.ofSeconds(40)).until(() -> ticksSince(jdbc, bothUp) >= 15);
        first.close();
        first = null;
        Instant stopped = Instant.now();
        await().atMost(Duration.ofSeconds(30)).until(() -> ticksSince(jdbc, stopped) >= 5);

        List<Instant> ticks = jdbc.queryForList("SELECT substring(idempotency_key from ?) FROM jobs "
                + "WHERE idempotency_key LIKE ? ORDER BY 1", String.class, KEY.length() + 1, KEY + "%").stream()
                .map(Instant::parse).filter(tick -> !tick.isBefore(bothUp.plusSeconds(1))).toList();
        // bounded by the last tick read too: the schedule goes on firing, and a tick after the read is not counted
        Integer jobs = jdbc.queryForObject("SELECT count(*) FROM jobs WHERE idempotency_key LIKE ? "
                + "AND idempotency_key >= ? AND idempotency_key <= ?", Integer.class, KEY + "%", KEY + ticks.get(0),
                KEY + ticks.get(ticks.size() - 1));
        assertThat(jobs).as("one job per tick").isEqualTo(ticks.size());
        Instant firstTick = ticks.get(0);
        Instant lastTick = ticks.get(ticks.size() - 1);
        assertThat(ticks).as("every second from %s to %s, across the stop at %s", firstTick, lastTick, stopped)
                .hasSize((int) Duration.between(firstTick, lastTick).toSeconds() + 1)
                .doesNotHaveDuplicates();
        assertThat(ticks.size()).isGreaterThanOrEqualTo(19);
        Instant declaredNext = jdbc.queryForObject("SELECT next_run_at FROM schedules WHERE name = ?",
                Timestamp.class, NAME).toInstant();
        assertThat(declaredNext).isAfter(lastTick);
    }

    private static int ticksSince(JdbcTemplate jdbc, Instant since) {
        return jdbc.queryForObject("SELECT count(*) FROM jobs WHERE idempotency_key LIKE ? AND created_at > ?",
                Integer.class, KEY + "%", Timestamp.from(since));
    }

    private static Map<String, String> properties() {
        String prefix = "conveyor.schedules." + NAME + ".";
        return Map.of(
                prefix + "cron", "* * * * * *",
                prefix + "misfire", "skip",
                prefix + "job.type", "csv_validation",
                prefix + "job.payload.marketplace", "every-second",
                prefix + "job.payload.category", "toys",
                prefix + "job.payload.csv", "sku,title,price,quantity\nSKU-1,Red ball,9.90,10\n",
                "conveyor.scheduler.poll-ms", "300",
                // a late tick within the grace still gets its job; 30 s keeps "none missed" true on a busy machine
                "conveyor.scheduler.misfire-grace", "30s");
    }
}
