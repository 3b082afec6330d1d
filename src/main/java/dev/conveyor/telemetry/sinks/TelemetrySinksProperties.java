package dev.conveyor.telemetry.sinks;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code conveyor.telemetry.sinks} in application.yaml (see docs/configuration.md): the sinks events are copied
 * to after their transaction commits, besides the job_events table. The batching and retry keys are read by
 * routes/telemetry-sinks.camel.yaml; this record gives the Java side the switches and the queues.
 */
@ConfigurationProperties("conveyor.telemetry.sinks")
public record TelemetrySinksProperties(
        int queueCapacity,
        int batchSize,
        long flushIntervalMs,
        long retryInitialMs,
        long retryMaxMs,
        Log log,
        Kafka kafka,
        Http http) {

    /** One structured JSON line per event on logger {@code dev.conveyor.events}. */
    public record Log(
            boolean enabled,
            String queue) {
    }

    /** Each event to a topic, keyed by its partition_key. */
    public record Kafka(
            boolean enabled,
            String topic,
            String brokers,
            long maxBlockMs,
            String queue,
            String endpoint) {
    }

    /** Batches of events POSTed as a JSON array; on when a URL is given. */
    public record Http(
            String url,
            long connectTimeoutMs,
            long timeoutMs,
            String queue) {

        public boolean enabled() {
            return url != null && !url.isBlank();
        }
    }
}
