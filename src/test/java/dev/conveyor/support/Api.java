package dev.conveyor.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.awaitility.Awaitility.await;

/** A small HTTP client for the service under test, the way a user's script would call it. */
public final class Api {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final HttpClient client = CLIENT;
    private final String base;
    private final String key;

    /** Calls as the test services' admin (TestKeys.ADMIN). */
    public Api(int port) {
        this(port, TestKeys.ADMIN);
    }

    /** Calls with {@code key} as the bearer token; null: with no Authorization header at all. */
    public Api(int port, String key) {
        this.base = "http://localhost:" + port;
        this.key = key;
    }

    /** The same service, called with another key (null: anonymously). */
    public Api as(String otherKey) {
        return new Api(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), otherKey);
    }

    public HttpResponse<String> delete(String path, String... headers) {
        return send(withHeaders(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), headers));
    }

    public HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body, String... headers) {
        return send(withHeaders(HttpRequest.newBuilder(URI.create(base + path)).method(method, body), headers));
    }

    public HttpResponse<String> postJson(String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return send(withHeaders(request, headers));
    }

    public HttpResponse<String> post(String path, String contentType, HttpRequest.BodyPublisher body,
                                     String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).POST(body);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(withHeaders(request, headers));
    }

    public HttpResponse<String> postCsv(String path, Supplier<InputStream> csv, String... headers) {
        return post(path, "text/csv", HttpRequest.BodyPublishers.ofInputStream(csv), headers);
    }

    public HttpResponse<String> get(String path, String... headers) {
        return send(withHeaders(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers));
    }

    /** Makes an API key through POST /admin/api-keys (this Api must hold an admin key) and returns its secret. */
    public String newKey(String tenant, String role) {
        HttpResponse<String> made = postJson("/admin/api-keys", "{\"name\":\"" + role + " of " + tenant
                + "\",\"tenant_id\":\"" + tenant + "\",\"role\":\"" + role + "\"}");
        if (made.statusCode() != 201) {
            throw new AssertionError("expected 201 but got " + made.statusCode() + ": " + made.body());
        }
        return json(made).get("key").asText();
    }

    /** Submits a job and returns its job_id, asserting nothing but that it was accepted. */
    public String submit(String json, String... headers) {
        HttpResponse<String> response = postJson("/jobs", json, headers);
        if (response.statusCode() != 202) {
            throw new AssertionError("expected 202 but got " + response.statusCode() + ": " + response.body());
        }
        return json(response).get("job_id").asText();
    }

    /** The job as {@code GET /jobs/{id}} shows it; {@code headers} (name, value, ...) such as X-Tenant-Id. */
    public JsonNode job(String jobId, String... headers) {
        return json(get("/jobs/" + jobId, headers));
    }

    /** Waits until the job reaches a final status and returns it; {@code headers} as for {@link #job}. */
    public JsonNode awaitFinished(String jobId, Duration timeout, String... headers) {
        return await().atMost(timeout).pollInterval(Duration.ofMillis(50))
                .until(() -> job(jobId, headers), job -> job.has("status") && isFinal(job.get("status").asText()));
    }

    public JsonNode awaitFinished(String jobId) {
        return awaitFinished(jobId, Duration.ofSeconds(30));
    }

    /**
     * The id of the finished job's first child: a job's follow-ups are created right after its ending commits, so a
     * parent can read as finished a moment before its children are listed. {@code headers} as for {@link #job}.
     */
    public String awaitFirstChild(JsonNode parent, String... headers) {
        String parentId = parent.get("job_id").asText();
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> job(parentId, headers).get("children"), children -> children != null && children.size() > 0)
                .get(0).asText();
    }

    public static boolean isFinal(String status) {
        return switch (status) {
            case "SUCCESS", "PARTIAL_SUCCESS", "FAILED", "DEAD_LETTERED", "CANCELLED" -> true;
            default -> false;
        };
    }

    public static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(Duration.ofSeconds(60)).build();
        // a test that sends an Authorization header of its own (a wrong key, Basic) keeps it
        if (key != null && built.headers().firstValue("Authorization").isEmpty()) {
            built = HttpRequest.newBuilder(built, (name, value) -> true)
                    .header("Authorization", "Bearer " + key).build();
        }
        try {
            return client.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpRequest.Builder withHeaders(HttpRequest.Builder request, String... headers) {
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }
}
