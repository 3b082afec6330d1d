package dev.conveyor.security;

import java.net.http.HttpResponse;

import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * METRICS_PUBLIC=true, the switch for a scraper that cannot send a key: Prometheus answers strangers, and nothing
 * else does.
 */
@Tag("slow") // a Spring context of its own (metrics open to all)
@ConveyorIntegrationTest
@TestPropertySource(properties = "conveyor.security.public-metrics=true")
class PublicMetricsTest {

    @LocalServerPort
    int port;

    @Test
    void prometheusOpensToStrangersAndTheRestStaysClosed() {
        Api anonymous = new Api(port, null);

        HttpResponse<String> metrics = anonymous.get("/actuator/prometheus");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes");

        assertThat(anonymous.get("/actuator/metrics").statusCode()).isEqualTo(401);
        assertThat(anonymous.get("/actuator/health").statusCode()).isEqualTo(401);
        assertThat(anonymous.get("/jobs").statusCode()).isEqualTo(401);
    }
}
