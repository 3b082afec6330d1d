package dev.conveyor.telemetry.sinks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP endpoint for the HTTP sink, in the test's JVM: it answers every POST with the status it is set to
 * and keeps the batches it answered 2xx, with their Content-Type.
 */
final class EventReceiver implements AutoCloseable {

    record Batch(String contentType, String text) {

        JsonNode body() {
            try {
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new AssertionError("a batch that is not JSON: " + text, e);
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final AtomicInteger status;
    private final AtomicInteger refusedRequests = new AtomicInteger();
    private final List<Batch> accepted = new CopyOnWriteArrayList<>();

    private EventReceiver(int initialStatus) throws IOException {
        this.status = new AtomicInteger(initialStatus);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/events", this::handle);
        server.start();
    }

    static EventReceiver answering(int status) throws IOException {
        return new EventReceiver(status);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
    }

    void answer(int newStatus) {
        status.set(newStatus);
    }

    int refusedRequests() {
        return refusedRequests.get();
    }

    List<Batch> batches() {
        return List.copyOf(accepted);
    }

    /** Every event of every accepted batch, in arrival order. */
    List<JsonNode> events() {
        List<JsonNode> events = new ArrayList<>();
        for (Batch batch : accepted) {
            batch.body().forEach(events::add);
        }
        return events;
    }

    List<String> eventIds() {
        return events().stream().map(e -> e.get("event_id").asText()).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int answer = "POST".equals(exchange.getRequestMethod()) ? status.get() : 405;
            if (answer / 100 == 2) {
                accepted.add(new Batch(exchange.getRequestHeaders().getFirst("Content-Type"), body));
            } else {
                refusedRequests.incrementAndGet();
            }
            exchange.sendResponseHeaders(answer, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
