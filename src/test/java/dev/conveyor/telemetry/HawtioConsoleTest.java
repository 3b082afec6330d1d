package dev.conveyor.telemetry;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hawtio as the default configuration serves it (its login on, the API keys its realm), called the way a script
 * calls it, with a key as a bearer token rather than through the login form (which HawtioRoutesBrowserIT
 * covers): the console's page at {@code /actuator/hawtio/}, and the Jolokia endpoint it reads Camel's route MBeans
 * through, beside the actuator endpoints that were there before. The test services' admin key is one Hawtio
 * lets in (hawtio.roles: operator, admin). Camel's test support turns JMX off unless a class asks for it, and the
 * running service has it on: {@code @DisableJmx(false)} makes this context like the service.
 */
@Tag("slow") // a Spring context of its own (JMX on, as in the service)
@ConveyorIntegrationTest
@DisableJmx(false)
class HawtioConsoleTest extends RunningServiceTest {

    /**
     * Camel's route MBeans of this context, read through Jolokia: one per route. In the service the context's
     * management name is camel.main.name, {@code conveyor}; in a test JVM that already holds another context with
     * JMX on (the slow tier runs many classes per JVM, and Spring keeps their contexts), Camel gives this one
     * another name, so the test asks its context which.
     */
    private String routeMBeans() {
        return "org.apache.camel:context=" + camel.getManagementName() + ",type=routes,name=*";
    }

    @Autowired
    CamelContext camel;

    @Test
    void theConsoleIsServedAtActuatorHawtio() {
        HttpResponse<String> page = api.get("/actuator/hawtio/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("<title>Hawtio</title>").contains("<base href=\"/actuator/hawtio/\">")
                .contains("/actuator/hawtio/static/js/main.");
        // the address without the slash leads there, as does a link into the Camel view
        HttpResponse<String> bare = api.get("/actuator/hawtio");
        assertThat(bare.statusCode()).isEqualTo(302);
        assertThat(bare.headers().firstValue("Location")).hasValueSatisfying(location ->
                assertThat(location).endsWith("/actuator/hawtio/"));
        assertThat(api.get("/actuator/hawtio/camel/routes").body()).contains("<title>Hawtio</title>");
    }

    @Test
    void jolokiaReadsCamelsRouteMBeansWithOurRouteIdsAndTheirCounts() {
        String jobId = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        assertThat(api.awaitFinished(jobId).get("status").asText()).isEqualTo("SUCCESS");

        List<String> routeIds = camel.getRoutes().stream().map(Route::getRouteId).toList();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Map<String, JsonNode> routes = readRouteMBeans();
            assertThat(routes.keySet()).containsExactlyInAnyOrderElementsOf(routeIds);
            assertThat(routes.values()).allSatisfy(route ->
                    assertThat(route.get("State").asText()).isEqualTo("Started"));
            for (String routeId : CamelRouteMetricsTest.JOB_PATH) {
                assertThat(routes.get(routeId).get("ExchangesCompleted").asLong()).as(routeId)
                        .isGreaterThanOrEqualTo(1);
            }
        });
    }

    @Test
    void theActuatorEndpointsThatWereThereStayExposed() {
        JsonNode links = Api.json(api.get("/actuator")).get("_links");
        List<String> exposed = new ArrayList<>();
        links.fieldNames().forEachRemaining(exposed::add);
        assertThat(exposed).contains("health", "info", "metrics", "prometheus", "camelroutes", "hawtio", "jolokia");

        // readiness is DOWN until every polling consumer (the inbox's) has polled once: wait for that
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpResponse<String> health = api.get("/actuator/health");
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        });
        assertThat(api.get("/actuator/info").statusCode()).isEqualTo(200);
        assertThat(api.get("/actuator/metrics").statusCode()).isEqualTo(200);
        assertThat(api.get("/actuator/prometheus").body()).contains("camel_exchanges_total{", "jvm_memory_used_bytes{");
        HttpResponse<String> camelRoutes = api.get("/actuator/camelroutes");
        assertThat(camelRoutes.statusCode()).isEqualTo(200);
        assertThat(camelRoutes.body()).contains("\"worker-normal\"", "\"dispatcher\"");
    }

    /** Route id → its MBean's attributes, from one Jolokia bulk read of every route MBean. */
    private Map<String, JsonNode> readRouteMBeans() {
        HttpResponse<String> response = api.postJson("/actuator/jolokia", """
                {"type": "read", "mbean": "%s", "attribute": ["RouteId", "State", "ExchangesCompleted"]}
                """.formatted(routeMBeans()));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode answer = Api.json(response);
        assertThat(answer.get("status").asInt()).as(response.body()).isEqualTo(200);
        Map<String, JsonNode> routes = new HashMap<>();
        answer.get("value").forEach(route -> routes.put(route.get("RouteId").asText(), route));
        return routes;
    }
}
