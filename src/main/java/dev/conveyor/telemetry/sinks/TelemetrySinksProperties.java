package dev.conveyor.telemetry.sinks;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code conveyor.telemetry.sinks} in application.yaml (see docs/configuration.md): the sinks events are copied
 * to after their transaction commits, besides the job_events table. The batching and retry keys are read by
 * routes/telemetry-sinks.camel.yaml; this record gives the Java side the switches and the queues.
 */
@ConfigurationProperties("conveyor.telemetry.sinks")
public record TelemetrySinksProperties(
        @DefaultValue("10000") int queueCapacity,
        @DefaultValue("100") int batchSize,
        @DefaultValue("1000") long flushIntervalMs,
        @DefaultValue("500") long retryInitialMs,
        @DefaultValue("30000") long retryMaxMs,
        @DefaultValue Log log,
        @DefaultValue Kafka kafka,
        @DefaultValue Http http) {

    /** One structured JSON line per event on logger {@code dev.conveyor.events}. */
    public record Log(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("seda:conveyor.events.log") String queue) {
    }

    /** Each event to a topic, keyed by its partition_key. */
    public record Kafka(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("conveyor.events") String topic,
            @DefaultValue("localhost:9092") String brokers,
            @DefaultValue("5000") long maxBlockMs,
            @DefaultValue("seda:conveyor.events.kafka") String queue,
            String endpoint) {
    }

    /** Batches of events POSTed as a JSON array; on when a URL is given. */
    public record Http(
            @DefaultValue("") String url,
            @DefaultValue("5000") long connectTimeoutMs,
            @DefaultValue("10000") long timeoutMs,
            @DefaultValue("seda:conveyor.events.http") String queue) {

        public boolean enabled() {
            return url != null && !url.isBlank();
        }
    }
}
