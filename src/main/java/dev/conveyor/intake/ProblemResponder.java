package dev.conveyor.intake;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Renders whatever an API route threw as an {@code application/problem+json} response. */
@Component("problemResponder")
public class ProblemResponder {

    private static final Logger log = LoggerFactory.getLogger(ProblemResponder.class);

    private final ObjectMapper json;

    public ProblemResponder(ObjectMapper json) {
        this.json = json;
    }

    public void render(Exchange exchange) throws JsonProcessingException {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ProblemException problem = cause instanceof ProblemException p ? p : internalError(exchange, cause);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.getMessage());
        body.put("instance", exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class));
        if (problem instanceof BatchProblemException batch) {
            body.put("errors", batch.items());
        } else if (!problem.errors().isEmpty()) {
            body.put("errors", problem.errors());
        }
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, problem.status());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/problem+json");
        exchange.getMessage().setBody(json.writeValueAsString(body));
    }

    private static ProblemException internalError(Exchange exchange, Throwable cause) {
        log.error("request {} failed", exchange.getMessage().getHeader(Exchange.HTTP_URI), cause);
        return new ProblemException(500, "Internal Server Error",
                "the request could not be completed; nothing was created (see the service log, exchange "
                        + exchange.getExchangeId() + ")");
    }
}
