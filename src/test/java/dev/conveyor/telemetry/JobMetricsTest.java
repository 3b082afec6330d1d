package dev.conveyor.telemetry;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The business metrics as Prometheus scrapes them from {@code /actuator/prometheus}: real jobs through the whole
 * service move the counters, timers and histograms with the right tags; the queue depth gauges follow the jobs
 * table. Values are compared before and after, so jobs of other tests in the same context do not matter.
 */
@ConveyorIntegrationTest
class JobMetricsTest extends RunningServiceTest {

    static final String CSV = "csv_validation";
    static final Duration METRICS_SETTLE = Duration.ofSeconds(10);

    @Autowired
    CamelContext camel;

    @Test
    void aSuccessAPartialSuccessAndAFailureAreCountedByTypeAndStatusWithTheirTimesAndRows() {
        Scrape before = scrape();

        String success = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        String partial = api.submit(CsvJobs.inline(CsvJobs.TWO_BAD_ROWS));
        String failed = api.submit(CsvJobs.inline("sku,title,cost,quantity\nA,B,1,2\n"));
        assertThat(api.awaitFinished(success).get("status").asText()).isEqualTo("SUCCESS");
        assertThat(api.awaitFinished(partial).get("status").asText()).isEqualTo("PARTIAL_SUCCESS");
        assertThat(api.awaitFinished(failed).get("status").asText()).isEqualTo("FAILED");

        // a finished job is counted right after its transaction commits: wait for the worker to get there
        await().atMost(METRICS_SETTLE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Scrape after = scrape();
            assertThat(after.delta(before, "conveyor_jobs_finished_total", "type", CSV, "status", "SUCCESS"))
                    .isEqualTo(1);
            assertThat(after.delta(before, "conveyor_jobs_finished_total", "type", CSV,
                    "status", "PARTIAL_SUCCESS")).isEqualTo(1);
            assertThat(after.delta(before, "conveyor_jobs_finished_total", "type", CSV, "status", "FAILED"))
                    .isEqualTo(1);
        });
        Scrape after = scrape();

        assertThat(after.delta(before, "conveyor_jobs_submitted_total", "type", CSV, "source", "api"))
                .isEqualTo(3);
        // durations: one observation per finished job, in a histogram with buckets for histogram_quantile
        for (String timer : List.of("conveyor_job_duration_seconds", "conveyor_job_processing_seconds")) {
            assertThat(after.delta(before, timer + "_count", "type", CSV)).as(timer).isEqualTo(3);
            assertThat(after.value(timer + "_sum", "type", CSV)).as(timer).isGreaterThan(0);
            assertThat(after.delta(before, timer + "_bucket", "type", CSV, "le", "+Inf")).as(timer).isEqualTo(3);
            assertThat(after.series(timer + "_bucket", "type", CSV)).as(timer + " buckets").hasSizeGreaterThan(20);
            assertThat(after.value(timer + "_max", "type", CSV)).as(timer).isGreaterThan(0);
        }
        assertThat(after.series("conveyor_job_duration_seconds_bucket", "type", CSV, "le", "1.0"))
                .as("the 1 s SLO bucket").hasSize(1);
        assertThat(after.series("conveyor_job_duration_seconds_bucket", "type", CSV, "le", "3600.0"))
                .as("the 1 h SLO bucket").hasSize(1);
        // the processor's counts: 3 + 3 valid rows, 0 + 2 bad ones; a wrong header reads no rows
        assertThat(after.delta(before, "conveyor_rows_validated_total", "type", CSV, "outcome", "valid"))
                .isEqualTo(6);
        assertThat(after.delta(before, "conveyor_rows_validated_total", "type", CSV, "outcome", "error"))
                .isEqualTo(2);
        // one event per lifecycle step
        assertThat(after.delta(before, "conveyor_events_emitted_total", "event_type", "job.queued")).isEqualTo(3);
        assertThat(after.delta(before, "conveyor_events_emitted_total", "event_type", "job.started")).isEqualTo(3);
        assertThat(after.delta(before, "conveyor_events_emitted_total", "event_type", "job.completed"))
                .isEqualTo(2);
        assertThat(after.delta(before, "conveyor_events_emitted_total", "event_type", "job.failed")).isEqualTo(1);
        // the set writer: the three submissions, claims and endings (nine changes) went through it, in at least
        // three sets one after another (a job's claim waits for its submission, its ending for its claim), and
        // every hand-in's wait was timed
        assertThat(after.delta(before, "conveyor_db_set_write_size_changes_sum")).isGreaterThanOrEqualTo(9);
        assertThat(after.delta(before, "conveyor_db_set_writes_seconds_count")).isGreaterThanOrEqualTo(3);
        assertThat(after.delta(before, "conveyor_db_set_write_wait_seconds_count")).isGreaterThanOrEqualTo(5);
        assertThat(after.value("conveyor_db_set_writes_seconds_sum")).isGreaterThan(0);
        assertThat(after.series("conveyor_db_set_write_wait_seconds_bucket")).as("wait buckets").hasSizeGreaterThan(20);
        // Spring's own HTTP metrics, which the dashboard's request rate panel reads
        assertThat(after.series("http_server_requests_seconds_count")).isNotEmpty();
    }

    @Test
    void retriesAndDeadLettersAreCountedByType() {
        Scrape before = scrape();

        // test_flaky "transient" fails every attempt: two retries, then the dead-letter channel
        String jobId = api.submit("{\"type\":\"test_flaky\",\"payload\":{\"mode\":\"transient\"}}");
        assertThat(api.awaitFinished(jobId).get("status").asText()).isEqualTo("DEAD_LETTERED");

        await().atMost(METRICS_SETTLE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertThat(
                scrape().delta(before, "conveyor_jobs_dead_lettered_total", "type", "test_flaky")).isEqualTo(1));
        Scrape after = scrape();
        assertThat(after.delta(before, "conveyor_jobs_retried_total", "type", "test_flaky")).isEqualTo(2);
        assertThat(after.delta(before, "conveyor_events_emitted_total", "event_type", "job.retrying")).isEqualTo(2);
        assertThat(after.delta(before, "conveyor_jobs_finished_total", "type", "test_flaky",
                "status", "DEAD_LETTERED")).isEqualTo(1);
    }

    @Test
    void theEventSinksBooksAreServedPerSink() {
        String jobId = api.submit(CsvJobs.inline(CsvJobs.CLEAN));
        api.awaitFinished(jobId);

        await().atMost(METRICS_SETTLE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Scrape now = scrape();
            assertThat(now.value("conveyor_events_delivered_total", "sink", "log")).isGreaterThanOrEqualTo(3);
            assertThat(now.series("conveyor_events_sink_backlog", "sink", "log")).hasSize(1);
            assertThat(now.value("conveyor_events_sink_backlog", "sink", "log")).isZero();
        });
        // present at 0 before any loss, so alerts on its rate work from the start
        assertThat(scrape().series("conveyor_events_dropped_total", "sink", "log", "reason", "queue_full"))
                .hasSize(1);
        assertThat(scrape().value("conveyor_events_dropped_total", "sink", "log")).isZero();
    }

    @Test
    void anIdempotentReplayIsNotASecondSubmission() {
        String body = CsvJobs.inline(CsvJobs.CLEAN);
        String key = "metrics-" + System.nanoTime();
        Scrape before = scrape();

        HttpResponse<String> first = api.postJson("/jobs", body, "Idempotency-Key", key);
        HttpResponse<String> replay = api.postJson("/jobs", body, "Idempotency-Key", key);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        String jobId = Api.json(first).get("job_id").asText();
        assertThat(Api.json(replay).get("job_id").asText()).isEqualTo(jobId);
        api.awaitFinished(jobId);
        await().atMost(METRICS_SETTLE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertThat(
                scrape().delta(before, "conveyor_jobs_finished_total", "type", CSV, "status", "SUCCESS"))
                .isEqualTo(1));
        Scrape after = scrape();
        assertThat(after.delta(before, "conveyor_jobs_submitted_total", "type", CSV, "source", "api"))
                .as("the replay returned the first job and created nothing").isEqualTo(1);
        assertThat(after.delta(before, "conveyor_events_emitted_total", "event_type", "job.queued")).isEqualTo(1);
    }

    @Test
    void queueDepthIsSampledFromTheJobsTablePerLaneAndStatus() {
        assertThat(camel.getRoute("metrics-sampler")).as("the sampler route").isNotNull();
        Scrape scrape = scrape();
        for (String lane : List.of("high", "normal", "low", "bulk")) {
            for (String status : List.of("QUEUED", "RETRYING")) {
                assertThat(scrape.series("conveyor_queue_depth", "lane", lane, "status", status))
                        .as("gauge %s/%s", lane, status).hasSize(1);
            }
        }

        // a low-priority first attempt waiting for its run_at has no lane yet: it counts under its priority's
        String inAnHour = Instant.now().plusSeconds(3600).toString();
        String waiting = api.submit(CsvJobs.inline(CsvJobs.CLEAN)
                .replaceFirst("\\{", "{\"priority\":\"low\",\"run_at\":\"" + inAnHour + "\","));
        // and a retry keeps the lane of its last attempt
        String retrying = api.submit(CsvJobs.inline(CsvJobs.CLEAN)
                .replaceFirst("\\{", "{\"run_at\":\"" + inAnHour + "\","));
        jdbc.update("UPDATE jobs SET status = 'RETRYING', lane = 'bulk' WHERE job_id = ?", retrying);

        await().atMost(METRICS_SETTLE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Scrape now = scrape();
            assertThat(now.value("conveyor_queue_depth", "lane", "low", "status", "QUEUED")).isEqualTo(1);
            assertThat(now.value("conveyor_queue_depth", "lane", "bulk", "status", "RETRYING")).isEqualTo(1);
            assertThat(now.value("conveyor_queue_depth", "lane", "normal", "status", "RETRYING")).isZero();
        });

        // once they stop waiting, the lanes read 0 again
        jdbc.update("UPDATE jobs SET status = 'CANCELLED' WHERE job_id IN (?, ?)", waiting, retrying);
        await().atMost(METRICS_SETTLE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            Scrape now = scrape();
            assertThat(now.value("conveyor_queue_depth", "lane", "low", "status", "QUEUED")).isZero();
            assertThat(now.value("conveyor_queue_depth", "lane", "bulk", "status", "RETRYING")).isZero();
        });
    }

    private Scrape scrape() {
        HttpResponse<String> response = api.get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        return Scrape.parse(response.body());
    }

    /** One sample line of the Prometheus text format. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** A parsed scrape; lookups sum every series of a name whose labels include the given ones. */
    record Scrape(List<Sample> samples) {

        private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        static Scrape parse(String text) {
            List<Sample> samples = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                Matcher matcher = LINE.matcher(line);
                assertThat(matcher.find()).as("a sample line: " + line).isTrue();
                Map<String, String> labels = new HashMap<>();
                if (matcher.group(2) != null) {
                    Matcher label = LABEL.matcher(matcher.group(2));
                    while (label.find()) {
                        labels.put(label.group(1), label.group(2));
                    }
                }
                samples.add(new Sample(matcher.group(1), labels, number(matcher.group(3))));
            }
            return new Scrape(samples);
        }

        private static double number(String text) {
            return switch (text) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(text);
            };
        }

        List<Sample> series(String name, String... labels) {
            return samples.stream().filter(sample -> sample.name().equals(name) && has(sample, labels)).toList();
        }

        /** The sum of the matching series; 0 when there are none (a counter not incremented yet). */
        double value(String name, String... labels) {
            return series(name, labels).stream().mapToDouble(Sample::value).sum();
        }

        double delta(Scrape before, String name, String... labels) {
            return value(name, labels) - before.value(name, labels);
        }

        private static boolean has(Sample sample, String... labels) {
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (!labels[i + 1].equals(sample.labels().get(labels[i]))) {
                    return false;
                }
            }
            return true;
        }
    }
}
