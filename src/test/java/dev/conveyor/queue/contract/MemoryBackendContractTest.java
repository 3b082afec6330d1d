package dev.conveyor.queue.contract;

import java.util.Map;

/** The queue contract on the in-memory (SEDA) backend; the jobs table as outbox makes it restart-safe. */
class MemoryBackendContractTest extends QueueBackendContract {

    @Override
    protected Map<String, String> backendProperties(String isolation) {
        return Map.of("conveyor.queue.backend", "memory");
    }

    @Override
    protected void stopBackend() {
        // nothing runs outside the instances
    }
}
