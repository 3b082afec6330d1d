package dev.conveyor.processors;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.config.EnrichProperties;
import dev.conveyor.worker.PermanentJobException;
import dev.conveyor.worker.TransientJobException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/**
 * One call to the enrichment service: POST {@code ENRICH_URL} with {@code {marketplace, category, sku}},
 * the JSON answer back. HTTP 429, 5xx and timeouts are transient; any other 4xx is permanent. Guarded by a
 * resilience4j circuit breaker: while it is open, calls fail at once as transient, so jobs wait and retry
 * instead of all failing against a service known to be down. The enrich-call route rate-limits the calls.
 */
@Component("enrichClient")
public class EnrichClient {

    private final HttpClient http;
    private final ObjectMapper json;
    private final String url;
    private final Duration timeout;
    private final CircuitBreaker breaker;

    public EnrichClient(ObjectMapper json, EnrichProperties enrich) {
        this.json = json;
        EnrichProperties.Breaker settings = enrich.breaker();
        // only transient failures say the service is unwell; a 404 for one sku does not
        this.breaker = CircuitBreaker.of("enrich", CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRateThreshold())
                .minimumNumberOfCalls(settings.minimumCalls())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.slidingWindowSize())
                .waitDurationInOpenState(Duration.ofSeconds(settings.waitSecondsOpen()))
                .permittedNumberOfCallsInHalfOpenState(settings.halfOpenCalls())
                .recordExceptions(TransientJobException.class)
                .build());
        this.url = enrich.url();
        this.timeout = Duration.ofMillis(enrich.timeoutMs());
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public String fetch(@Header("marketplace") String marketplace, @Header("category") String category,
                        @Header("sku") String sku) throws InterruptedException {
        try {
            return breaker.executeCheckedSupplier(() -> call(marketplace, category, sku));
        } catch (CallNotPermittedException e) {
            throw new TransientJobException("the enrichment service's circuit breaker is OPEN after repeated "
                    + "failures; calls resume when it half-opens", e);
        } catch (RuntimeException | InterruptedException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** CLOSED, OPEN or HALF_OPEN, for operators and tests. */
    public String circuitState() {
        return breaker.getState().name();
    }

    /** Back to CLOSED with no history: each test starts from a healthy service. */
    void resetCircuit() {
        breaker.reset();
    }

    private String call(String marketplace, String category, String sku) throws InterruptedException {
        if (url == null || url.isBlank()) {
            throw new PermanentJobException("ENRICH_URL is not set: the enrich job type has no service to call");
        }
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(
                            Map.of("marketplace", marketplace, "category", category, "sku", sku))))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new TransientJobException("calling " + url + " for " + sku + " failed: " + e, e);
        }
        int status = response.statusCode();
        if (status == 429 || status >= 500) {
            throw new TransientJobException("the enrichment service answered HTTP " + status + " for " + sku);
        }
        if (status >= 400) {
            throw new PermanentJobException("the enrichment service answered HTTP " + status + " for " + sku);
        }
        return asJson(response.body());
    }

    private String asJson(String body) {
        try {
            JsonNode node = json.readTree(body);
            return node == null || node.isMissingNode() ? "null" : json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            try {
                return json.writeValueAsString(Map.of("text", body));
            } catch (JsonProcessingException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }
}
