package dev.conveyor.queue.contract;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorInstance;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.TcpForwarder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kafka unreachable when the service starts: jobs are still accepted, stay QUEUED in the table, the health
 * endpoint says the backend is down — and once the broker comes up every job runs, once.
 */
@Tag("slow") // a service instance of its own, then an embedded Kafka broker
class KafkaUnreachableTest {

    @Test
    void jobsWaitInTheTableWhileTheBrokerIsDownAndRunWhenItComesUp() throws Exception {
        int port = freePort();
        String schema = ConveyorInstance.newSchema();
        EmbeddedKafkaKraftBroker broker = null;
        TcpForwarder bootstrap = null;
        try (ConveyorInstance instance = ConveyorInstance.start("no-broker", schema, Map.of(
                "conveyor.queue.backend", "kafka",
                "conveyor.queue.kafka.brokers", "localhost:" + port,
                "conveyor.queue.kafka.topic-prefix", schema + ".",
                "conveyor.queue.kafka.max-block-ms", "1000"))) {
            Api api = instance.api();
            String first = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
            String second = api.submit(CsvJobs.inline(CsvJobs.CLEAN));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode health = Api.json(api.get("/actuator/health"));
                assertThat(health.at("/components/queueBackend/status").asText()).isEqualTo("DOWN");
                assertThat(health.at("/components/queueBackend/details/lastPublishFailure").asText()).isNotBlank();
            });
            assertThat(api.job(first).get("status").asText()).isEqualTo("QUEUED");
            assertThat(api.job(second).get("status").asText()).isEqualTo("QUEUED");

            // the broker comes up: the service's bootstrap address now leads to it
            broker = new EmbeddedKafkaKraftBroker(1, 4);
            broker.afterPropertiesSet();
            String[] address = broker.getBrokersAsString().split(",")[0].split(":");
            bootstrap = TcpForwarder.start(port, address[0], Integer.parseInt(address[1]));

            assertThat(api.awaitFinished(first, Duration.ofSeconds(120)).get("status").asText()).isEqualTo("SUCCESS");
            assertThat(api.awaitFinished(second, Duration.ofSeconds(120)).get("status").asText())
                    .isEqualTo("SUCCESS");
            assertThat(api.job(first).get("attempts").asInt()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> Api.json(api.get("/actuator/health"))
                    .at("/components/queueBackend/status").asText().equals("UP"));
        } finally {
            if (bootstrap != null) {
                bootstrap.close();
            }
            if (broker != null) {
                broker.destroy();
            }
            ConveyorInstance.dropSchema(schema);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
