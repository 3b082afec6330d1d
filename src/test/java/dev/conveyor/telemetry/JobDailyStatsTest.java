package dev.conveyor.telemetry;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.Percentiles;
import dev.conveyor.support.RunningServiceTest;
import org.apache.camel.CamelContext;
import org.assertj.core.data.Offset;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * job_daily_stats after real jobs ran through the service: the counts per final status, the rows and their
 * error rate, and the latency percentiles of the day are those of the jobs; a refresh run again writes the same
 * rows; a job that moves to another day (here: finished yesterday) or leaves its final status (a manual retry)
 * moves with it.
 */
@Tag("slow") // a Spring context of its own (maintenance every second)
@ConveyorIntegrationTest
// the maintenance route refreshes the aggregate every second here; every refresh writes the same rows, so the
// tests' own refreshes and the route's agree
@TestPropertySource(properties = "conveyor.telemetry.store.maintenance-period-ms=1000")
// properties of its own make a context no other class shares: close it after the class rather than keep its
// connection pool open for the rest of the suite
@DirtiesContext
class JobDailyStatsTest extends RunningServiceTest {

    static final String MARKETPLACE = "daily_mkt";

    @Autowired
    JobDailyStats dailyStats;

    @Autowired
    CamelContext camel;

    @Test
    void aDaysFinishedJobsAreCountedWithTheirRowsErrorRateAndLatencies() {
        String tenant = "daily-" + Long.toHexString(System.nanoTime());
        List<String> jobs = List.of(
                api.submit(CsvJobs.inline(MARKETPLACE, "toys", CsvJobs.CLEAN), "X-Tenant-Id", tenant),
                api.submit(CsvJobs.inline(MARKETPLACE, "toys", CsvJobs.CLEAN), "X-Tenant-Id", tenant),
                api.submit(CsvJobs.inline(MARKETPLACE, "toys", CsvJobs.TWO_BAD_ROWS), "X-Tenant-Id", tenant),
                api.submit(CsvJobs.inline(MARKETPLACE, "toys", "sku,title,cost,quantity\nA,B,1,2\n"),
                        "X-Tenant-Id", tenant));
        jobs.forEach(jobId -> awaitFinished(api, jobId, tenant));

        dailyStats.refresh();

        List<Map<String, Object>> rows = statsOf(tenant);
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.get("day").toString()).isEqualTo(today());
            assertThat(row).containsEntry("marketplace", MARKETPLACE).containsEntry("category", "toys")
                    .containsEntry("type", "csv_validation");
            assertThat(row).containsEntry("jobs", 4L).containsEntry("success", 2L)
                    .containsEntry("partial_success", 1L).containsEntry("failed", 1L)
                    .containsEntry("dead_lettered", 0L).containsEntry("cancelled", 0L);
            // 3 + 3 + 5 rows read, 2 of them bad; the wrong header read none
            assertThat(row).containsEntry("total_rows", 11L).containsEntry("valid_rows", 9L)
                    .containsEntry("error_rows", 2L);
            assertThat((BigDecimal) row.get("error_rate"))
                    .isEqualByComparingTo(BigDecimal.valueOf(2).divide(BigDecimal.valueOf(11), 6, RoundingMode.HALF_UP));
            List<Double> latencies = latenciesMs(tenant, jobs);
            assertThat(((Number) row.get("latency_p50_ms")).doubleValue())
                    .isCloseTo(Percentiles.continuous(latencies, 0.5), Offset.offset(1.0));
            assertThat(((Number) row.get("latency_p95_ms")).doubleValue())
                    .isCloseTo(Percentiles.continuous(latencies, 0.95), Offset.offset(1.0));
            assertThat(((Number) row.get("latency_p99_ms")).doubleValue())
                    .isCloseTo(Percentiles.continuous(latencies, 0.99), Offset.offset(1.0));
            assertThat(row.get("processing_p95_ms")).isNotNull();
        });

        // again: the same numbers, still one row
        dailyStats.refresh();
        List<Map<String, Object>> again = statsOf(tenant);
        assertThat(again).hasSize(1);
        assertThat(withoutRefreshTime(again.get(0))).isEqualTo(withoutRefreshTime(rows.get(0)));

        // the failure finished yesterday: it is counted on yesterday's row, no longer on today's
        String failed = jobs.get(3);
        jdbc.update("UPDATE jobs SET created_at = now() - interval '1 day 1 minute', "
                + "started_at = now() - interval '1 day', completed_at = now() - interval '1 day' WHERE job_id = ?",
                failed);
        dailyStats.refresh();
        List<Map<String, Object>> moved = statsOf(tenant);
        assertThat(moved).extracting(row -> row.get("day").toString(), row -> row.get("jobs"), row -> row.get("failed"))
                .containsExactly(Tuple.tuple(yesterday(), 1L, 1L), Tuple.tuple(today(), 3L, 0L));
        assertThat(moved.get(0)).containsEntry("latency_p50_ms", 60_000L).containsEntry("total_rows", 0L);
        assertThat(((Number) moved.get(1).get("latency_p50_ms")).doubleValue()).isCloseTo(
                Percentiles.continuous(latenciesMs(tenant, jobs.subList(0, 3)), 0.5), Offset.offset(1.0));

        // retried by hand, it has no final status any more: yesterday's row goes
        jdbc.update("UPDATE jobs SET status = 'QUEUED', completed_at = NULL, run_at = now() + interval '1 hour' "
                + "WHERE job_id = ?", failed);
        dailyStats.refresh();
        assertThat(statsOf(tenant)).extracting(row -> row.get("day").toString()).containsExactly(today());
    }

    @Test
    void theMaintenanceRouteKeepsTheAggregateWithNoOneCallingIt() {
        assertThat(camel.getProcessor("refresh-job-daily-stats")).as("the route's refresh step").isNotNull();
        String tenant = "daily-route-" + Long.toHexString(System.nanoTime());
        String jobId = api.submit(CsvJobs.inline(MARKETPLACE, "games", CsvJobs.CLEAN), "X-Tenant-Id", tenant);
        awaitFinished(api, jobId, tenant);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(statsOf(tenant)).singleElement().satisfies(row -> assertThat(row)
                        .containsEntry("jobs", 1L).containsEntry("success", 1L).containsEntry("category", "games")));
    }

    private List<Map<String, Object>> statsOf(String tenant) {
        return jdbc.queryForList("SELECT * FROM job_daily_stats WHERE tenant_id = ? ORDER BY day", tenant);
    }

    /** Created → completed of these jobs, in milliseconds, from their rows. */
    private List<Double> latenciesMs(String tenant, List<String> jobIds) {
        return jobIds.stream().map(jobId -> jdbc.queryForObject("SELECT 1000 * extract(epoch FROM completed_at - "
                + "created_at)::float8 FROM jobs WHERE tenant_id = ? AND job_id = ?", Double.class, tenant, jobId))
                .toList();
    }

    private String today() {
        return jdbc.queryForObject("SELECT (now() AT TIME ZONE 'UTC')::date::text", String.class);
    }

    private String yesterday() {
        return jdbc.queryForObject("SELECT ((now() AT TIME ZONE 'UTC')::date - 1)::text", String.class);
    }

    private static Map<String, Object> withoutRefreshTime(Map<String, Object> row) {
        Map<String, Object> copy = new LinkedHashMap<>(row);
        copy.remove("refreshed_at");
        return copy;
    }

    private static void awaitFinished(Api api, String jobId, String tenant) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> Api.isFinal(Api.json(api.get("/jobs/" + jobId, "X-Tenant-Id", tenant))
                        .get("status").asText()));
    }
}
