package dev.conveyor.config;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The configuration model, bound in this one place: a record per concern, each checked while it is bound, so a bad
 * value stops the start with a message naming the key ({@link StartFailureAnalyzers.BadSetting}). Code never reads a
 * key itself (no {@code @Value}, no {@code Environment.getProperty}): it takes the record, or the value, it needs.
 * Every default is in application.yaml, none in a record: the routes read the same keys from the environment
 * ({@code {{conveyor.inbox.poll-ms}}}), so application.yaml is the one place both sides agree on.
 * docs/configuration.md documents every key of these records; ConfigurationDocsTest keeps it so.
 *
 * <p>The event store's and the sinks' records ({@code conveyor.telemetry.store}, {@code conveyor.telemetry.sinks})
 * live in the telemetry package, which the model must not depend on; the application's properties scan binds them.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({
        ConveyorProperties.class,
        QueueProperties.class,
        EnrichProperties.class,
        TelemetryProperties.class,
        MetricsProperties.class,
        WarehouseSpoolProperties.class,
        WarehouseBuildProperties.class,
        HawtioProperties.class,
        SecurityProperties.class,
        ScheduleProperties.class,
        BatchProperties.class,
        DashboardProperties.class})
public class ConfigurationModel {

    /**
     * {@code conveyor.queue.backend}, bound once; classes that only need to know the backend take this. (Not named
     * queueBackend: that is the health component's name.)
     */
    @Bean
    QueueBackend chosenQueueBackend(QueueProperties queue) {
        return queue.backend();
    }
}
