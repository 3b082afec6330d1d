package dev.conveyor.queue.contract;

import java.util.Map;

import dev.conveyor.support.ConveyorInstance;
import org.apache.camel.CamelContext;
import org.apache.camel.component.seda.SedaEndpoint;
import org.junit.jupiter.api.Tag;

/** The queue contract on the in-memory (SEDA) backend; the jobs table as outbox makes it restart-safe. */
@Tag("slow") // service instances of its own (the queue backend contract)
class MemoryBackendContractTest extends QueueBackendContract {

    @Override
    protected Map<String, String> backendProperties(String isolation) {
        return Map.of("conveyor.queue.backend", "memory");
    }

    @Override
    protected boolean deadLetterLaneHolds(ConveyorInstance instance, String isolation, String jobId) {
        return instance.bean(CamelContext.class).getEndpoints().stream()
                .filter(e -> e instanceof SedaEndpoint seda && seda.getName().equals("conveyor.dead-letter"))
                .flatMap(e -> ((SedaEndpoint) e).getExchanges().stream())
                .anyMatch(exchange -> jobId.equals(exchange.getMessage().getBody(String.class)));
    }

    @Override
    protected void stopBackend() {
        // nothing runs outside the instances
    }
}
