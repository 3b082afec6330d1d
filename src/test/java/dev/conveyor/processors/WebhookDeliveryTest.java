package dev.conveyor.processors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import dev.conveyor.config.BatchProperties;
import dev.conveyor.worker.PermanentJobException;
import dev.conveyor.worker.TransientJobException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a receiver's answer means for a webhook delivery, and the outbound rules at call time, against real HTTP
 * servers on 127.0.0.1. DNS is the one thing replaced (a table of names), so that a name can turn internal between
 * the check at submit and the call.
 */
class WebhookDeliveryTest {

    private static final byte[] BODY = "{\"batch_id\":\"bat_x\"}".getBytes(StandardCharsets.UTF_8);

    private HttpServer server;
    private final AtomicInteger calls = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void a2xxIsDeliveredA5xxOr429IsTransientAnOther4xxIsPermanent() throws IOException {
        WebhookDelivery delivery = delivery(List.of("127.0.0.1"), List.of("127.0.0.1/32"), Duration.ofSeconds(5));

        assertThat(delivery.post(serve(204), BODY, Map.of()).status()).isEqualTo(204);
        assertThatThrownBy(() -> delivery.post(serve(503), BODY, Map.of())).isInstanceOf(TransientJobException.class)
                .hasMessageContaining("answered HTTP 503 Service Unavailable");
        assertThatThrownBy(() -> delivery.post(serve(429), BODY, Map.of())).isInstanceOf(TransientJobException.class);
        assertThatThrownBy(() -> delivery.post(serve(404), BODY, Map.of())).isInstanceOf(PermanentJobException.class)
                .hasMessageContaining("answered HTTP 404 Not Found");
    }

    @Test
    void aRedirectIsNotFollowedAndFailsTheDelivery() throws IOException {
        WebhookDelivery delivery = delivery(List.of("127.0.0.1"), List.of("127.0.0.1/32"), Duration.ofSeconds(5));
        String url = serve(302);

        assertThatThrownBy(() -> delivery.post(url, BODY, Map.of())).isInstanceOf(PermanentJobException.class)
                .hasMessageContaining("redirects are not followed");
        assertThat(calls).as("only the first URL was called, not the Location").hasValue(1);
    }

    @Test
    void aReceiverThatDoesNotAnswerInTimeOrCannotBeReachedIsATransientFailure() throws IOException {
        WebhookDelivery delivery = delivery(List.of("127.0.0.1"), List.of("127.0.0.1/32"), Duration.ofMillis(300));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS); // answers only once the test is over
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";

        assertThatThrownBy(() -> delivery.post(url, BODY, Map.of())).isInstanceOf(IOException.class)
                .hasMessageContaining("did not answer within conveyor.batches.webhooks.timeout");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        assertThatThrownBy(() -> delivery.post("http://127.0.0.1:" + closedPort + "/hook", BODY, Map.of()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aNameThatResolvesToAnInternalAddressWhenCalledIsRefusedThoughItPassedAtSubmit() throws IOException {
        String url = serve(200);
        WebhookDelivery delivery = new WebhookDelivery(properties(List.of("hooks.test"), List.of(),
                Duration.ofSeconds(5)), host -> {
            if (!host.equals("hooks.test")) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
        });
        String named = url.replace("127.0.0.1", "hooks.test");

        assertThat(delivery.urlProblem(named)).as("a name alone says nothing at submit").isEmpty();
        assertThatThrownBy(() -> delivery.post(named, BODY, Map.of())).isInstanceOf(PermanentJobException.class)
                .hasMessageContaining("resolves to 127.0.0.1, an internal address")
                .hasMessageContaining("conveyor.batches.webhooks.allowed-addresses");
        assertThat(calls).hasValue(0);
    }

    @Test
    void withoutAnAllowListOrASecretWebhooksAreRefusedNamingTheSetting() {
        WebhookDelivery off = delivery(List.of(), List.of(), Duration.ofSeconds(5));
        assertThat(off.urlProblem("https://hooks.example/x")).get().asString()
                .contains("webhook callbacks are off").contains("conveyor.batches.webhooks.allowed-hosts");

        WebhookDelivery unsigned = new WebhookDelivery(new BatchProperties(1000, 10, List.of(),
                new BatchProperties.Webhooks(List.of("hooks.example"), List.of(), "", Duration.ofSeconds(5))));
        assertThat(unsigned.urlProblem("https://hooks.example/x")).get().asString()
                .contains("conveyor.batches.webhooks.secret");
        assertThat(delivery(List.of("*"), List.of(), Duration.ofSeconds(5))
                .urlProblem("https://user:pw@hooks.example/x")).get().asString().contains("user name or password");
    }

    private String serve(int status) throws IOException {
        if (server != null) {
            server.stop(0);
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            calls.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            if (status == 302) {
                exchange.getResponseHeaders().add("Location", "http://127.0.0.1:"
                        + server.getAddress().getPort() + "/elsewhere");
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    private static WebhookDelivery delivery(List<String> hosts, List<String> addresses, Duration timeout) {
        return new WebhookDelivery(properties(hosts, addresses, timeout));
    }

    private static BatchProperties properties(List<String> hosts, List<String> addresses, Duration timeout) {
        return new BatchProperties(1000, 10, List.of(), new BatchProperties.Webhooks(hosts, addresses,
                "secret", timeout));
    }
}
