package dev.conveyor.ui;

import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's lanes page against the shared service, over plain HTTP with a session: a reader sees every lane and
 * type with its waiting jobs and no action, and is refused a forced pause; an operator pauses and resumes a type.
 * Only test_flaky_limited and the low lane are touched (as PausesTest does), each resumed after the test.
 */
@ConveyorIntegrationTest
class DashboardLanesTest {

    @LocalServerPort
    int port;

    Api admin;
    String tenant;
    DashboardSession browser;

    @BeforeEach
    void setUp() {
        admin = new Api(port);
        tenant = "t_" + UUID.randomUUID().toString().substring(0, 8);
        browser = new DashboardSession(port);
    }

    @AfterEach
    void resumeEverything() {
        admin.postJson("/lanes/low/resume", "");
        admin.postJson("/types/test_flaky_limited/resume", "");
    }

    @Test
    void anAnonymousVisitorIsSentToTheLoginForTheNewPages() {
        for (String page : new String[] {"/ui/lanes", "/ui/batches", "/ui/batches/bat_0"}) {
            assertThat(browser.get(page).statusCode()).as(page).isEqualTo(302);
        }
        browser.get("/ui/login");
        assertThat(browser.post("/ui/lanes/low/pause").statusCode()).isIn(302, 403);
        assertThat(lanePaused("low")).isFalse();
    }

    @Test
    void aReaderSeesEachLaneAndTypeWithItsQueueButNoActionAndIsRefusedAForcedPause() {
        browser.logIn(admin.newKey(tenant, "reader"));
        String page = browser.get("/ui/lanes").body();
        for (JsonNode lane : Api.json(admin.get("/lanes")).get("lanes")) {
            assertThat(page).contains("<tr id=\"lane-" + lane.get("name").asText() + "\">");
        }
        assertThat(page).contains("<tr id=\"type-csv_validation\">").contains("Oldest due waiting for")
                .doesNotContain("/ui/lanes/low/pause").doesNotContain("/ui/types/")
                .doesNotContain("<button type=\"submit\" id=\"pause-");
        // conveyor.ui.grafana-url, as TestEnvironment sets it, beside the Hawtio link
        assertThat(page).contains("<a href=\"/actuator/hawtio/\">Routes (Hawtio)</a>")
                .contains("<a href=\"http://grafana.test:3000/d/conveyor\" rel=\"noopener noreferrer\"");

        assertThat(browser.post("/ui/lanes/low/pause").statusCode()).isEqualTo(403);
        assertThat(browser.post("/ui/types/test_flaky_limited/pause").statusCode()).isEqualTo(403);
        assertThat(lanePaused("low")).isFalse();
    }

    @Test
    void anOperatorPausesAndResumesATypeAndALaneAfterAConfirmation() {
        browser.logIn(admin.newKey(tenant, "operator"));
        String page = browser.get("/ui/lanes").body();
        assertThat(page).contains("action=\"/ui/types/test_flaky_limited/pause\"")
                .contains("data-confirm=\"Pause job type test_flaky_limited?")
                .contains("onsubmit=\"return confirm(this.dataset.confirm)\"");

        assertThat(browser.post("/ui/types/test_flaky_limited/pause").statusCode()).isEqualTo(302);
        String paused = browser.get("/ui/lanes").body();
        assertThat(paused).contains("Paused type test_flaky_limited")
                .contains("action=\"/ui/types/test_flaky_limited/resume\"");
        JsonNode type = row(Api.json(admin.get("/types")).get("types"), "test_flaky_limited");
        assertThat(type.get("paused").asBoolean()).isTrue();
        assertThat(type.get("paused_by").asText()).contains("operator of " + tenant).contains("dashboard");

        browser.post("/ui/types/test_flaky_limited/resume");
        assertThat(browser.get("/ui/lanes").body()).contains("Resumed type test_flaky_limited");
        assertThat(row(Api.json(admin.get("/types")).get("types"), "test_flaky_limited").get("paused").asBoolean())
                .isFalse();

        browser.post("/ui/lanes/low/pause");
        assertThat(lanePaused("low")).isTrue();
        browser.get("/ui/lanes");
        browser.post("/ui/lanes/low/resume");
        assertThat(lanePaused("low")).isFalse();

        // a name that is no lane: the service's refusal, shown, nothing done
        browser.get("/ui/lanes");
        browser.post("/ui/lanes/no-such-lane/pause");
        assertThat(browser.get("/ui/lanes").body()).contains("Not done: no lane named").contains("no-such-lane");
    }

    private boolean lanePaused(String name) {
        return row(Api.json(admin.get("/lanes")).get("lanes"), name).get("paused").asBoolean();
    }

    private static JsonNode row(JsonNode rows, String name) {
        for (JsonNode row : rows) {
            if (row.get("name").asText().equals(name)) {
                return row;
            }
        }
        throw new AssertionError("no " + name + " in " + rows);
    }
}
