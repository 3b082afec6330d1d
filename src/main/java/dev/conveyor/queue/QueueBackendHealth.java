package dev.conveyor.queue;

import java.util.Optional;

import dev.conveyor.config.QueueBackend;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code /actuator/health} component "queueBackend": whether the configured backend answers right now.
 * While it is DOWN, accepted jobs wait in the table (QUEUED) and are dispatched once it is back.
 */
@Component("queueBackend")
public class QueueBackendHealth implements HealthIndicator {

    private static final long PROBE_TIMEOUT_MS = 3000;

    private final QueueBackend backend;
    private final ObjectProvider<KafkaTopics> kafka;
    private final ObjectProvider<SqsClient> sqs;
    private final JobDispatcher dispatcher;

    public QueueBackendHealth(QueueBackend backend, ObjectProvider<KafkaTopics> kafka,
                              ObjectProvider<SqsClient> sqs, JobDispatcher dispatcher) {
        this.backend = backend;
        this.kafka = kafka;
        this.sqs = sqs;
        this.dispatcher = dispatcher;
    }

    @Override
    public Health health() {
        boolean up = switch (backend) {
            case MEMORY -> true;
            case KAFKA -> Optional.ofNullable(kafka.getIfAvailable()).map(k -> k.reachable(PROBE_TIMEOUT_MS))
                    .orElse(false);
            case SQS -> Optional.ofNullable(sqs.getIfAvailable()).map(QueueBackendHealth::answers).orElse(false);
        };
        Health.Builder health = up ? Health.up() : Health.down();
        health.withDetail("backend", backend.name().toLowerCase(java.util.Locale.ROOT));
        dispatcher.lastPublishFailure().ifPresent(failure -> health.withDetail("lastPublishFailure", failure));
        return health.build();
    }

    private static boolean answers(SqsClient client) {
        try {
            client.listQueues(builder -> builder.maxResults(1));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
