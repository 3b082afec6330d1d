package dev.conveyor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.telemetry.EventStoreProperties;
import dev.conveyor.telemetry.sinks.TelemetrySinksProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The configuration model binds application.yaml as it is, and a value it cannot take stops the start with a report
 * naming the key, its variable, the value and what is allowed. A variable is given here as a system property, which
 * application.yaml's {@code ${VARIABLE:default}} reads the same way as one of the environment.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationValidationTest {

    /** The model alone, bound from application.yaml the way a start reads it. */
    private final ApplicationContextRunner model = new ApplicationContextRunner()
            .withInitializer(new ConfigDataApplicationContextInitializer())
            .withUserConfiguration(ConfigurationModel.class, TelemetryRecords.class);

    /** The records the telemetry package keeps, which the application's properties scan binds. */
    @EnableConfigurationProperties({EventStoreProperties.class, TelemetrySinksProperties.class})
    static class TelemetryRecords {
    }

    @Test
    void theDefaultsOfApplicationYamlBindAndPassTheChecks() {
        model.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(QueueBackend.class)).isEqualTo(QueueBackend.MEMORY);
            ConveyorProperties conveyor = context.getBean(ConveyorProperties.class);
            assertThat(conveyor.dispatcher().batchSize()).isEqualTo(200);
            assertThat(conveyor.worker().timeLimit()).hasHours(1);
            QueueProperties queue = context.getBean(QueueProperties.class);
            assertThat(queue.sqs().publishBatch()).isEqualTo(10);
            assertThat(queue.lane().get("high").publish()).startsWith("seda:conveyor.high");
            assertThat(queue.backends()).containsOnlyKeys("memory", "kafka", "sqs");
            assertThat(context.getBean(EnrichProperties.class).breaker().halfOpenCalls()).isEqualTo(3);
            assertThat(context.getBean(TelemetryProperties.class).progress().everySeconds()).isEqualTo(5);
            assertThat(context.getBean(HawtioProperties.class).authenticationEnabled()).isTrue();
            assertThat(context.getBean(HawtioProperties.class).realm()).isEqualTo("conveyor");
            assertThat(context.getBean(SecurityProperties.class).adminTenant()).isEqualTo("default");
            assertThat(context.getBean(EventStoreProperties.class).retentionDays()).isEqualTo(90);
        });
    }

    @Test
    void theBackendIsReadOnceAsItsEnumAndPicksItsLanes() {
        model.withSystemProperties("QUEUE_BACKEND=kafka").run(context -> {
            assertThat(context.getBean(QueueBackend.class)).isEqualTo(QueueBackend.KAFKA);
            assertThat(context.getBean(QueueProperties.class).lane().get("high").publish())
                    .startsWith("kafka:conveyor.jobs.high?");
        });
    }

    @Test
    void aBackendSpelledOtherwiseThanItsLanesStopsTheStart() {
        // the enum would take "Kafka", but the lanes are looked up under conveyor.queue.backends.Kafka
        model.withSystemProperties("QUEUE_BACKEND=Kafka").run(context -> assertThat(report(context))
                .contains("conveyor.queue.lane[high].publish").contains("(memory, kafka or sqs, lower case)"));
    }

    @Test
    void anUnknownBackendNamesTheVariableTheValueAndTheThreeBackends() {
        model.withSystemProperties("QUEUE_BACKEND=rabbit").run(context -> assertThat(report(context))
                .contains("conveyor.queue.backend (QUEUE_BACKEND): must be one of memory, kafka, sqs (is 'rabbit')"));
    }

    @Test
    void aGrafanaLinkThatIsNoWebAddressStopsTheStartAndEmptyMeansNoLink() {
        model.withSystemProperties("UI_GRAFANA_URL=javascript:alert(1)").run(context -> assertThat(report(context))
                .contains("conveyor.ui.grafana-url (UI_GRAFANA_URL): must be empty (no link) or an http:// or"
                        + " https:// address"));
        model.run(context -> assertThat(context.getBean(DashboardProperties.class).hasGrafana()).isFalse());
        model.withSystemProperties("UI_GRAFANA_URL=https://grafana.example/d/conveyor").run(context ->
                assertThat(context.getBean(DashboardProperties.class).grafanaUrl())
                        .isEqualTo("https://grafana.example/d/conveyor"));
    }

    @Test
    void aNegativeBatchSizeNamesTheKeyTheValueAndTheBound() {
        model.withSystemProperties("BATCH_SIZE=-5").run(context -> assertThat(report(context))
                .contains("conveyor.dispatcher.batch-size (BATCH_SIZE): must be at least 1 (is -5)"));
    }

    @Test
    void everyBadValueOfARecordIsListedAtOnce() {
        model.withSystemProperties("SQS_PUBLISH_BATCH=11", "SQS_WAIT_TIME_SECONDS=-1").run(context -> {
            String report = report(context);
            assertThat(report).contains("2 settings cannot be used");
            assertThat(report).contains("conveyor.queue.sqs.publish-batch (SQS_PUBLISH_BATCH): must be 1 to 10 (is 11)");
            assertThat(report).contains(
                    "conveyor.queue.sqs.wait-time-seconds (SQS_WAIT_TIME_SECONDS): must be 0 to 20 (is -1)");
        });
    }

    @Test
    void aValueOfTheWrongTypeSaysWhatTheKeyTakes() {
        model.withSystemProperties("JOB_TIME_LIMIT=forever").run(context -> assertThat(
                report(context)).contains("conveyor.worker.time-limit (JOB_TIME_LIMIT): must be a duration")
                .contains("(is 'forever')"));
        model.withSystemProperties("ENRICH_TIMEOUT_MS=soon").run(context -> assertThat(report(context))
                .contains("conveyor.enrich.timeout-ms (ENRICH_TIMEOUT_MS): must be a whole number (is 'soon')"));
    }

    @Test
    void aKeySetDirectlyIsNamedWithItsOrigin() {
        model.withPropertyValues("conveyor.retry.types.bulk_import.max-attempts=0").run(context -> assertThat(
                report(context)).contains("conveyor.retry.types[bulk_import].max-attempts")
                .contains("must be at least 1 (is 0)"));
        model.withPropertyValues("hawtio.realm= ").run(context -> assertThat(report(context))
                .contains("hawtio.realm").contains("must name a JAAS realm"));
    }

    @Test
    void aPerKeyLimitWithABadKeyMaxOrRateStopsTheStartNamingEach() {
        model.withPropertyValues("conveyor.limits.warehouse_load.concurrency.key=market place",
                "conveyor.limits.warehouse_load.concurrency.max=0",
                "conveyor.limits.enrich.rate.key=tenant", "conveyor.limits.enrich.rate.per-second=0",
                "conveyor.limits.enrich.rate.burst=0").run(context -> assertThat(report(context))
                .contains("conveyor.limits[warehouse_load].concurrency.key")
                .contains("'tenant' or the name of a top-level payload field")
                .contains("conveyor.limits[warehouse_load].concurrency.max")
                .contains("conveyor.limits[enrich].rate.per-second")
                .contains("conveyor.limits[enrich].rate.burst"));
        model.withPropertyValues("conveyor.limits.warehouse_load.concurrency.key=marketplace",
                "conveyor.limits.warehouse_load.concurrency.max=1").run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void aRecordThatRefusesItsValuesIsNamedWithItsOwnReason() {
        model.withSystemProperties("TELEMETRY_PARTITIONS_AHEAD=0").run(context -> assertThat(report(context))
                .contains("conveyor.telemetry.store: conveyor.telemetry.store.partitions-ahead "
                        + "(TELEMETRY_PARTITIONS_AHEAD) must be at least 1, was 0"));
    }

    @Test
    void aStartWithABadValueStopsWithTheReportInItsLog(CapturedOutput output) {
        SpringApplicationBuilder start = new SpringApplicationBuilder(ConfigurationModel.class)
                .web(WebApplicationType.NONE).properties("spring.main.banner-mode=off");
        assertThatThrownBy(() -> start.run("--QUEUE_BACKEND=rabbit")).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Conveyor did not start: a setting cannot be used.")
                .contains("conveyor.queue.backend (QUEUE_BACKEND): must be one of memory, kafka, sqs (is 'rabbit')")
                .contains("docs/configuration.md describes every key");
    }

    /** What the start's failure report says about the context's failure. */
    private static String report(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        FailureAnalysis analysis = new StartFailureAnalyzers.BadSetting().analyze(context.getStartupFailure());
        assertThat(analysis).as("a report for %s", context.getStartupFailure()).isNotNull();
        return analysis.getDescription() + "\n" + analysis.getAction();
    }
}
