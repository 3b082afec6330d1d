package dev.conveyor.telemetry;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import javax.security.auth.login.Configuration;

import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import org.apache.camel.CamelContext;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hawtio pointed at a JAAS realm of the operator's own ({@code hawtio.realm}, HAWTIO_REALM) instead of the API
 * keys: the console sends strangers to its login page and Jolokia refuses them, while a user of that realm,
 * holding one of {@code hawtio.roles}, gets in. The health probes are not Hawtio's and stay open to anyone.
 * JMX on as in the service (Camel's test support turns it off by default).
 */
@Tag("slow") // a Spring context of its own (JMX on, Hawtio's login)
@ConveyorIntegrationTest
@DisableJmx(false)
@TestPropertySource(properties = {"hawtio.authenticationEnabled=true", "hawtio.realm=conveyor-test",
        "hawtio.roles=viewer", "hawtio.authenticationThrottled=false"})
class HawtioAuthenticationTest {

    @Autowired
    CamelContext camel;

    /**
     * A Jolokia read of one of this context's route MBeans. The context's management name is {@code conveyor} in
     * the service; in a test JVM that holds another context with JMX on, Camel names this one otherwise.
     */
    private String readRoute() {
        return """
                {"type": "read", "mbean": "org.apache.camel:context=%s,type=routes,name=\\"worker-normal\\"",
                 "attribute": "RouteId"}
                """.formatted(camel.getManagementName());
    }

    static Configuration previous;

    @LocalServerPort
    int port;

    Api api;

    /** The realm, as a JAAS configuration file would declare it: {@code conveyor-test { OneUserLoginModule ... }}. */
    @BeforeAll
    static void declareTheRealm() {
        previous = currentConfiguration();
        AppConfigurationEntry entry = new AppConfigurationEntry(OneUserLoginModule.class.getName(),
                LoginModuleControlFlag.REQUIRED, Map.of("user", "ops", "password", "s3cret", "role", "viewer"));
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                if ("conveyor-test".equals(name)) {
                    return new AppConfigurationEntry[] {entry};
                }
                return previous == null ? null : previous.getAppConfigurationEntry(name);
            }
        });
    }

    @AfterAll
    static void restoreTheConfiguration() {
        Configuration.setConfiguration(previous);
    }

    @BeforeEach
    void setUp() {
        api = new Api(port, null);
    }

    @Test
    void strangersAreSentToTheLoginPageAndJolokiaRefusesThem() {
        HttpResponse<String> console = api.get("/actuator/hawtio/");
        assertThat(console.statusCode()).isEqualTo(302);
        assertThat(console.headers().firstValue("Location")).hasValueSatisfying(location ->
                assertThat(location).endsWith("/actuator/hawtio/login"));

        assertThat(api.postJson("/actuator/jolokia", readRoute()).statusCode()).isEqualTo(403);
        assertThat(api.get("/actuator/jolokia").statusCode()).isEqualTo(403);
        assertThat(api.postJson("/actuator/jolokia", readRoute(), "Authorization", basic("ops", "wrong"))
                .statusCode()).isEqualTo(403);
    }

    @Test
    void aUserOfTheRealmReadsTheRoutes() {
        HttpResponse<String> read = api.postJson("/actuator/jolokia", readRoute(),
                "Authorization", basic("ops", "s3cret"));

        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(Api.json(read).get("value").asText()).isEqualTo("worker-normal");
    }

    @Test
    void theProbesStayOpenAndMetricsTakeAReaderKey() {
        // readiness is DOWN until every polling consumer (the inbox's) has polled once: wait for that
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpResponse<String> readiness = api.get("/actuator/health/readiness");
            assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
        });
        assertThat(api.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(api.get("/actuator/prometheus").statusCode()).isEqualTo(401);
        HttpResponse<String> metrics = api.as(dev.conveyor.support.TestKeys.ADMIN).get("/actuator/prometheus");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("camel_exchanges_total{");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static Configuration currentConfiguration() {
        try {
            return Configuration.getConfiguration();
        } catch (SecurityException noConfigurationFile) {
            return null;
        }
    }
}
