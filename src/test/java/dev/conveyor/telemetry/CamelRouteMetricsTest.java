package dev.conveyor.telemetry;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import dev.conveyor.telemetry.JobMetricsTest.Scrape;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Camel's own route metrics (camel-micrometer) in {@code /actuator/prometheus}: a job that goes through the
 * service is counted on each route it passed, by route id, next to the business metrics. The annotations are
 * JobMetricsTest's, so both share one running service.
 */
@ConveyorIntegrationTest
class CamelRouteMetricsTest extends RunningServiceTest {

    /** The routes a JSON job passes after POST /jobs (a controller): the outbox dispatcher, the router, its worker. */
    static final List<String> JOB_PATH = List.of("dispatcher", "lane-router", "worker-normal");

    @Autowired
    CamelContext camel;

    @Test
    void aJobIsCountedOnEveryRouteItPassedByRouteId() {
        Scrape before = scrape(api);

        String jobId = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        assertThat(api.awaitFinished(jobId).get("status").asText()).isEqualTo("SUCCESS");

        // the route policy counts an exchange when it completes, just after the job's final commit
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Scrape after = scrape(api);
            for (String routeId : JOB_PATH) {
                assertThat(after.delta(before, "camel_exchanges_total", "routeId", routeId, "eventType", "route"))
                        .as("exchanges of %s", routeId).isGreaterThanOrEqualTo(1);
                assertThat(after.delta(before, "camel_exchanges_succeeded_total", "routeId", routeId))
                        .as("succeeded exchanges of %s", routeId).isGreaterThanOrEqualTo(1);
                assertThat(after.delta(before, "camel_route_policy_seconds_count", "routeId", routeId))
                        .as("timed exchanges of %s", routeId).isGreaterThanOrEqualTo(1);
            }
        });
    }

    @Test
    void everyRouteHasItsExchangeAndFailureCounters() {
        Scrape scrape = scrape(api);
        List<String> routeIds = camel.getRoutes().stream().map(Route::getRouteId).toList();
        assertThat(routeIds).contains("dispatcher", "worker-normal", "dead-letter", "lease-reaper");
        for (String routeId : routeIds) {
            for (String counter : List.of("camel_exchanges_total", "camel_exchanges_failed_total")) {
                assertThat(scrape.series(counter, "routeId", routeId, "eventType", "route"))
                        .as("%s of %s", counter, routeId).hasSize(1);
            }
        }
        // the number of routes running, which an alert can compare with the number deployed
        assertThat(scrape.value("camel_routes_running_routes")).isEqualTo(routeIds.size());
    }

    static Scrape scrape(Api api) {
        HttpResponse<String> response = api.get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        return Scrape.parse(response.body());
    }
}
