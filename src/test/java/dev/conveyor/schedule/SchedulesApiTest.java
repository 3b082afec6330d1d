package dev.conveyor.schedule;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.MutableClock;
import dev.conveyor.support.RouteSignals;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The schedules API on the shared service: what it accepts and refuses, and what a schedule's ticks make. Each
 * test names schedules of its own and deletes them after, so the shared service's ticker leaves other tests alone.
 */
@ConveyorIntegrationTest
class SchedulesApiTest extends RunningServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    MutableClock clock;

    @Autowired
    CamelContext camel;

    private final List<String> made = new ArrayList<>();

    @AfterEach
    void deleteSchedules() {
        made.forEach(name -> jdbc.update("DELETE FROM schedules WHERE name = ?", name));
    }

    @Test
    void aScheduleIsCreatedListedReplacedAndDeleted() {
        String name = name();
        HttpResponse<String> created = put(name, schedule("@daily", null, "skip"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode view = Api.json(created);
        assertThat(view.get("cron").asText()).isEqualTo("@daily");
        assertThat(view.get("zone").asText()).isEqualTo("UTC");
        assertThat(view.get("misfire").asText()).isEqualTo("skip");
        assertThat(view.get("paused").asBoolean()).isFalse();
        assertThat(view.get("origin").asText()).isEqualTo("api");
        assertThat(view.get("job").get("type").asText()).isEqualTo("csv_validation");
        Instant next = Instant.parse(view.get("next_run_at").asText());
        assertThat(next).as("@daily: the next midnight, UTC").isAfter(clock.instant())
                .isBefore(clock.instant().plus(Duration.ofDays(1)).plusSeconds(1));
        assertThat(next.getEpochSecond() % 86_400).isZero();
        assertThat(view.get("last_run_at").isNull()).isTrue();
        assertThat(view.get("last_job_id").isNull()).isTrue();

        JsonNode listed = Api.json(api.get("/schedules"));
        assertThat(listed.get("schedules").findValuesAsText("name")).contains(name);

        HttpResponse<String> replaced = put(name, schedule("30 4 * * *", "Europe/Berlin", "run_once"));
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        JsonNode got = Api.json(api.get("/schedules/" + name));
        assertThat(got.get("cron").asText()).isEqualTo("30 4 * * *");
        assertThat(got.get("misfire").asText()).isEqualTo("run_once");
        // 04:30 in Berlin is 02:30 or 03:30 UTC, whichever the season
        String nextUtc = got.get("next_run_at").asText();
        assertThat(nextUtc).matches(".*T0[23]:30:00Z");

        assertThat(api.delete("/schedules/" + name).statusCode()).isEqualTo(204);
        assertThat(api.get("/schedules/" + name).statusCode()).isEqualTo(404);
        assertThat(api.delete("/schedules/" + name).statusCode()).isEqualTo(404);
    }

    @Test
    void aBadCronNamesTheFieldAtFault() {
        HttpResponse<String> minute = put(name(), schedule("61 * * * *", null, null));
        assertThat(minute.statusCode()).isEqualTo(422);
        assertThat(minute.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(Api.json(minute).get("detail").asText()).contains("'cron'").contains("minute field '61'");

        HttpResponse<String> seconds = put(name(), schedule("0/5 * 25 * * *", null, null));
        assertThat(Api.json(seconds).get("detail").asText()).contains("hour field '25'");

        HttpResponse<String> count = put(name(), schedule("* * *", null, null));
        assertThat(count.statusCode()).isEqualTo(422);
        assertThat(Api.json(count).get("detail").asText()).contains("'cron' has 3 fields");

        HttpResponse<String> macro = put(name(), schedule("@sometimes", null, null));
        assertThat(Api.json(macro).get("detail").asText()).contains("not a macro");
    }

    @Test
    void anUnknownZoneAMisfirePolicyOrAFieldIsRefused() {
        HttpResponse<String> zone = put(name(), schedule("@hourly", "Mars/Olympus_Mons", null));
        assertThat(zone.statusCode()).isEqualTo(422);
        assertThat(Api.json(zone).get("detail").asText()).contains("'zone' 'Mars/Olympus_Mons' is not a time zone");

        HttpResponse<String> misfire = put(name(), schedule("@hourly", null, "sometimes"));
        assertThat(Api.json(misfire).get("detail").asText()).contains("'misfire' must be skip or run_once");

        ObjectNode extra = schedule("@hourly", null, null).put("every", "day");
        assertThat(Api.json(put(name(), extra)).get("detail").asText()).contains("unknown field 'every'");
    }

    @Test
    void theJobIsCheckedAsPostJobsChecksIt() {
        ObjectNode unknownType = schedule("@hourly", null, null);
        unknownType.putObject("job").put("type", "no_such_type").putObject("payload");
        HttpResponse<String> type = put(name(), unknownType);
        assertThat(type.statusCode()).isEqualTo(422);
        assertThat(Api.json(type).get("detail").asText()).contains("job: unknown job type 'no_such_type'");

        ObjectNode noPayload = schedule("@hourly", null, null);
        noPayload.putObject("job").put("type", "csv_validation");
        assertThat(Api.json(put(name(), noPayload)).get("detail").asText())
                .contains("job: 'payload' is required");

        ObjectNode badPayload = schedule("@hourly", null, null);
        badPayload.putObject("job").put("type", "csv_validation").putObject("payload").put("marketplace", 5);
        assertThat(Api.json(put(name(), badPayload)).get("detail").asText()).contains("job: payload");

        ObjectNode ownKey = schedule("@hourly", null, null);
        ((ObjectNode) ownKey.get("job")).put("idempotency_key", "mine");
        assertThat(Api.json(put(name(), ownKey)).get("detail").asText())
                .contains("'job.idempotency_key' is set by each tick");

        assertThat(put(name(), JSON.createObjectNode()).statusCode()).isEqualTo(422);
        assertThat(api.send("PUT", "/schedules/" + name(), HttpRequest.BodyPublishers.ofString("{"),
                "Content-Type", "application/json").statusCode()).isEqualTo(400);
        HttpResponse<String> badName = put("bad%20name%21", schedule("@hourly", null, null));
        assertThat(badName.statusCode()).isEqualTo(422);
        assertThat(Api.json(badName).get("detail").asText()).contains("a schedule's name must be");
    }

    @Test
    void aJobReadingAFileThatIsNotThereYetIsAcceptedAndATriggerSaysWhyItCannotRunNow() {
        String name = name();
        ObjectNode nightlyLoad = schedule("0 2 * * *", null, "run_once");
        nightlyLoad.putObject("job").put("type", "warehouse_load").putObject("payload").put("marketplace", "acme")
                .put("category", "toys").put("file", "exports/" + name + ".csv");
        HttpResponse<String> created = put(name, nightlyLoad);
        assertThat(created.statusCode()).as("the file may arrive before the tick: " + created.body()).isEqualTo(201);

        HttpResponse<String> triggered = api.postJson("/schedules/" + name + "/trigger", "");
        assertThat(triggered.statusCode()).isEqualTo(422);
        assertThat(Api.json(triggered).get("detail").asText()).contains(name + ".csv");
        assertThat(jobsOf(name)).isZero();
    }

    @Test
    void aReaderReadsAnOperatorActsAndOtherTenantsSeeNothing() {
        String tenant = "sched-" + UUID.randomUUID().toString().substring(0, 8);
        Api reader = api.as(api.newKey(tenant, "reader"));
        Api operator = api.as(api.newKey(tenant, "operator"));
        String name = name();
        assertThat(reader.send("PUT", "/schedules/" + name, body(schedule("@hourly", null, null)),
                "Content-Type", "application/json").statusCode()).isEqualTo(403);
        assertThat(operator.send("PUT", "/schedules/" + name, body(schedule("@hourly", null, null)),
                "Content-Type", "application/json").statusCode()).isEqualTo(201);
        assertThat(reader.get("/schedules/" + name).statusCode()).isEqualTo(200);
        assertThat(reader.postJson("/schedules/" + name + "/pause", "").statusCode()).isEqualTo(403);
        assertThat(reader.delete("/schedules/" + name).statusCode()).isEqualTo(403);

        // the admin's tenant is another: the schedule is not there for it, and its name is taken
        assertThat(api.get("/schedules/" + name).statusCode()).isEqualTo(404);
        assertThat(Api.json(api.get("/schedules")).get("schedules").findValuesAsText("name")).doesNotContain(name);
        assertThat(put(name, schedule("@hourly", null, null)).statusCode()).isEqualTo(409);
        assertThat(operator.delete("/schedules/" + name).statusCode()).isEqualTo(204);
    }

    @Test
    void aTickFiresExactlyOneJob() {
        String name = name();
        // once a minute, half a minute from now: far enough that no pass reaches it by itself while the test looks,
        // and less than a lease (60 s) away, so the test moves the shared service's clock to it
        assertThat(put(name, schedule(halfAMinuteAhead() + " * * * * *", null, null)).statusCode()).isEqualTo(201);
        Instant tick = nextRunAt(name);
        NotifyBuilder passBefore = RouteSignals.schedulerPassAfterNow(camel);
        assertThat(passBefore.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(jobsOf(name)).as("nothing before the tick").isZero();

        clock.advance(Duration.between(clock.instant(), tick).plusMillis(100));
        await().atMost(Duration.ofSeconds(10)).until(() -> jobsOf(name) == 1);
        NotifyBuilder passAfter = RouteSignals.schedulerPassAfterNow(camel);
        assertThat(passAfter.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(jobsOf(name)).as("one job for the tick, whatever the passes after it").isEqualTo(1);

        JsonNode view = Api.json(api.get("/schedules/" + name));
        String jobId = jdbc.queryForObject("SELECT job_id FROM jobs WHERE idempotency_key = ?", String.class,
                "schedule:" + name + ":" + tick);
        assertThat(view.get("last_job_id").asText()).isEqualTo(jobId);
        assertThat(Instant.parse(view.get("last_run_at").asText())).isEqualTo(tick);
        assertThat(Instant.parse(view.get("next_run_at").asText())).isEqualTo(tick.plusSeconds(60));
        JsonNode job = api.job(jobId);
        assertThat(job.get("source").asText()).isEqualTo("schedule");
        assertThat(job.get("type").asText()).isEqualTo("csv_validation");
    }

    @Test
    void afterAnOutageSkipRunsNoneOfTheMissedTicks() {
        String name = name();
        assertThat(put(name, schedule("0 0 3 * * *", null, "skip")).statusCode()).isEqualTo(201);
        Instant next = simulateOutageOfFiveDays(name);

        await().atMost(Duration.ofSeconds(10)).until(() -> next.equals(nextRunAt(name)));
        assertThat(jobsOf(name)).as("no job for the five missed ticks").isZero();
        assertThat(Api.json(api.get("/schedules/" + name)).get("last_job_id").isNull()).isTrue();
    }

    @Test
    void afterAnOutageRunOnceRunsOneJobForAllTheMissedTicks() {
        String name = name();
        assertThat(put(name, schedule("0 0 3 * * *", null, "run_once")).statusCode()).isEqualTo(201);
        Instant next = simulateOutageOfFiveDays(name);

        await().atMost(Duration.ofSeconds(10)).until(() -> next.equals(nextRunAt(name)));
        assertThat(jobsOf(name)).as("one job for the five missed ticks").isEqualTo(1);
        Instant firstMissed = next.minus(Duration.ofDays(5));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE idempotency_key = ?", Integer.class,
                "schedule:" + name + ":" + firstMissed)).as("named by the first missed tick").isEqualTo(1);
    }

    @Test
    void pauseStopsTheTicksResumeGoesOnAndTriggerMakesOneJobNow() {
        String name = name();
        // once a minute, half a minute from now: no tick comes by itself between the put and the pause
        assertThat(put(name, schedule(halfAMinuteAhead() + " * * * * *", null, null)).statusCode()).isEqualTo(201);
        HttpResponse<String> paused = api.postJson("/schedules/" + name + "/pause", "");
        assertThat(paused.statusCode()).isEqualTo(200);
        assertThat(Api.json(paused).get("paused").asBoolean()).isTrue();
        assertThat(Api.json(paused).get("next_run_at").isNull()).isTrue();

        // a whole tick passes by the clock while paused, and the ticker runs after it: no job
        Instant tick = jdbc.queryForObject("SELECT next_run_at FROM schedules WHERE name = ?", Timestamp.class,
                name).toInstant();
        clock.advance(Duration.between(clock.instant(), tick).plusMillis(100));
        NotifyBuilder passWhilePaused = RouteSignals.schedulerPassAfterNow(camel);
        assertThat(passWhilePaused.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(jobsOf(name)).isZero();

        HttpResponse<String> triggered = api.postJson("/schedules/" + name + "/trigger", "");
        assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(202);
        String triggeredJob = Api.json(triggered).get("job_id").asText();
        assertThat(jobsOf(name)).as("trigger: one job, paused or not").isEqualTo(1);
        assertThat(Api.json(api.get("/schedules/" + name)).get("last_job_id").asText()).isEqualTo(triggeredJob);

        HttpResponse<String> resumed = api.postJson("/schedules/" + name + "/resume", "");
        assertThat(resumed.statusCode()).isEqualTo(200);
        Instant next = Instant.parse(Api.json(resumed).get("next_run_at").asText());
        assertThat(next).as("the first tick after the resume; the one missed while paused is not owed")
                .isAfter(tick);
        clock.advance(Duration.between(clock.instant(), next).plusMillis(100));
        await().atMost(Duration.ofSeconds(10)).until(() -> jobsOf(name) == 2);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE idempotency_key = ?", Integer.class,
                "schedule:" + name + ":" + next)).isEqualTo(1);
    }

    /**
     * As if every instance had been down for five days: the row's next tick is five days back, as a stopped
     * service would have left it. Returns the next tick to come.
     */
    private Instant simulateOutageOfFiveDays(String name) {
        Instant next = nextRunAt(name);
        jdbc.update("UPDATE schedules SET next_run_at = ? WHERE name = ?",
                Timestamp.from(next.minus(Duration.ofDays(5))), name);
        return next;
    }

    /** The second of the minute half a minute from now, for a cron that ticks once a minute then. */
    private int halfAMinuteAhead() {
        return (clock.instant().atZone(java.time.ZoneOffset.UTC).getSecond() + 30) % 60;
    }

    private Instant nextRunAt(String name) {
        return jdbc.queryForObject("SELECT next_run_at FROM schedules WHERE name = ?", Timestamp.class, name)
                .toInstant();
    }

    private int jobsOf(String name) {
        return jdbc.queryForObject("SELECT count(*) FROM jobs WHERE idempotency_key LIKE ?", Integer.class,
                "schedule:" + name + ":%");
    }

    private HttpResponse<String> put(String name, ObjectNode schedule) {
        made.add(name);
        return api.send("PUT", "/schedules/" + name, body(schedule), "Content-Type", "application/json");
    }

    private static HttpRequest.BodyPublisher body(ObjectNode node) {
        return HttpRequest.BodyPublishers.ofString(node.toString());
    }

    private String name() {
        String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
        made.add(name);
        return name;
    }

    private static ObjectNode schedule(String cron, String zone, String misfire) {
        ObjectNode body = JSON.createObjectNode().put("cron", cron);
        if (zone != null) {
            body.put("zone", zone);
        }
        if (misfire != null) {
            body.put("misfire", misfire);
        }
        try {
            body.set("job", JSON.readTree(CsvJobs.inline("sched", "toys", CsvJobs.CLEAN)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return body;
    }
}
