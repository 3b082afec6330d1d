package dev.conveyor.ui;

import java.net.http.HttpRequest;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's schedules page against the shared service: a reader looks, an operator triggers and pauses. */
@ConveyorIntegrationTest
class DashboardSchedulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    int port;

    Api admin;
    String tenant;
    String name;
    DashboardSession browser;

    @BeforeEach
    void setUp() throws Exception {
        admin = new Api(port);
        tenant = "t_" + UUID.randomUUID().toString().substring(0, 8);
        name = "ui-" + UUID.randomUUID().toString().substring(0, 8);
        browser = new DashboardSession(port);
        // once a year: no tick of its own comes while the test looks
        ObjectNode body = JSON.createObjectNode().put("cron", "0 3 1 1 *");
        body.set("job", JSON.readTree(CsvJobs.inline("sched", "toys", CsvJobs.CLEAN)));
        assertThat(admin.send("PUT", "/schedules/" + name, HttpRequest.BodyPublishers.ofString(body.toString()),
                "Content-Type", "application/json", "X-Tenant-Id", tenant).statusCode()).isEqualTo(201);
    }

    @AfterEach
    void deleteTheSchedule() {
        admin.delete("/schedules/" + name, "X-Tenant-Id", tenant);
    }

    @Test
    void aReaderSeesTheScheduleWithItsNextRunAndNoActions() {
        browser.logIn(admin.newKey(tenant, "reader"));
        String page = browser.get("/ui/schedules").body();
        assertThat(page).contains("<tr id=\"schedule-" + name + "\">").contains("<code>0 3 1 1 *</code>")
                .contains("-01-01T").doesNotContain("/ui/schedules/" + name + "/trigger");
        assertThat(browser.post("/ui/schedules/" + name + "/trigger").statusCode()).isEqualTo(403);
        assertThat(Api.json(admin.get("/schedules/" + name, "X-Tenant-Id", tenant)).path("last_job_id").isNull())
                .isTrue();
    }

    @Test
    void anOperatorTriggersPausesAndResumes() {
        browser.logIn(admin.newKey(tenant, "operator"));
        browser.get("/ui/schedules");

        assertThat(browser.post("/ui/schedules/" + name + "/trigger").statusCode()).isEqualTo(302);
        String triggered = browser.get("/ui/schedules").body();
        String jobId = Api.json(admin.get("/schedules/" + name, "X-Tenant-Id", tenant)).get("last_job_id").asText();
        assertThat(triggered).contains("Triggered " + name + ": job " + jobId).contains("/ui/jobs/" + jobId);

        browser.post("/ui/schedules/" + name + "/pause");
        assertThat(browser.get("/ui/schedules").body()).contains("Paused " + name).contains("<td>paused</td>")
                .contains("/ui/schedules/" + name + "/resume");
        assertThat(Api.json(admin.get("/schedules/" + name, "X-Tenant-Id", tenant)).get("paused").asBoolean())
                .isTrue();

        browser.post("/ui/schedules/" + name + "/resume");
        assertThat(browser.get("/ui/schedules").body()).contains("<td>active</td>");
        // another tenant's name, or none: the service's refusal, shown, nothing done
        browser.post("/ui/schedules/no-such-schedule/pause");
        assertThat(browser.get("/ui/schedules").body()).contains("Not done:");
    }
}
