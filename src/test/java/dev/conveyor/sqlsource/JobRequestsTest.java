package dev.conveyor.sqlsource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.conveyor.support.ConveyorIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Rows other systems insert into job_requests become jobs once each, or are rejected with the reason. */
@ConveyorIntegrationTest
class JobRequestsTest {

    private static final String GOOD_PAYLOAD =
            "{\"marketplace\":\"sql_mkt\",\"category\":\"toys\",\"csv\":\"sku,title,price,quantity\\nA,B,1.00,1\\n\"}";

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    JobRequestsPoller poller;

    @Test
    void goodRowsBecomeJobsAndBadOnesAreRejectedWithTheReason() {
        long good = insert("csv_validation", GOOD_PAYLOAD, "high", "req-good");
        long unknownType = insert("no_such_type", "{}", null, null);
        long badPayload = insert("csv_validation", "{\"marketplace\":\"sql_mkt\"}", null, null);
        long badPriority = insert("csv_validation", GOOD_PAYLOAD, "urgent", null);

        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM job_requests WHERE status = 'NEW' AND id IN (?, ?, ?, ?)", Long.class,
                good, unknownType, badPayload, badPriority) == 0);

        Map<String, Object> taken = request(good);
        assertThat(taken.get("status")).isEqualTo("TAKEN");
        String jobId = (String) taken.get("job_id");
        assertThat(jobId).matches("job_[0-9a-f]{32}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCESS".equals(jdbc.queryForObject(
                "SELECT status FROM jobs WHERE job_id = ?", String.class, jobId)));
        assertThat(jdbc.queryForMap("SELECT source, priority, idempotency_key FROM jobs WHERE job_id = ?", jobId))
                .containsEntry("source", "sql").containsEntry("priority", "high")
                .containsEntry("idempotency_key", "req-good");

        assertThat(request(unknownType)).containsEntry("status", "REJECTED");
        assertThat((String) request(unknownType).get("reject_reason")).contains("unknown job type 'no_such_type'");
        assertThat((String) request(badPayload).get("reject_reason")).contains("category");
        assertThat((String) request(badPriority).get("reject_reason")).contains("'priority' must be one of");
        assertThat(request(unknownType).get("job_id")).isNull();
    }

    @Test
    void aRowWhoseUniqueKeyAnotherJobHoldsIsRejectedNamingThatJob() {
        String key = "sql-unique-" + System.nanoTime();
        // the first row's job waits 50 s, so it still holds its while_active key when the second row is taken
        long first = jdbc.queryForObject("INSERT INTO job_requests (type, payload, unique_key, run_at) "
                + "VALUES ('csv_validation', CAST(? AS jsonb), ?, now() + interval '50 seconds') RETURNING id",
                Long.class, GOOD_PAYLOAD, key);
        long second = jdbc.queryForObject("INSERT INTO job_requests (type, payload, unique_key, unique_for) "
                + "VALUES ('csv_validation', CAST(? AS jsonb), ?, 'PT1H') RETURNING id", Long.class, GOOD_PAYLOAD, key);

        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM job_requests WHERE status = 'NEW' AND id IN (?, ?)", Long.class, first,
                second) == 0);

        assertThat(request(first)).containsEntry("status", "TAKEN");
        String holder = (String) request(first).get("job_id");
        assertThat(request(second)).containsEntry("status", "REJECTED");
        assertThat((String) request(second).get("reject_reason")).contains("is held by " + holder);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE unique_key = ?", Long.class, key))
                .isEqualTo(1);
    }

    @Test
    void aRowsJobBelongsToTheTenantInTheRowAndABadTenantIdIsRejected() {
        long acme = jdbc.queryForObject("INSERT INTO job_requests (tenant_id, type, payload) "
                + "VALUES ('acme_sql', 'csv_validation', CAST(? AS jsonb)) RETURNING id", Long.class,
                GOOD_PAYLOAD.replace("sql_mkt", "tenant_sql_mkt"));
        long untenanted = insert("csv_validation", GOOD_PAYLOAD.replace("sql_mkt", "default_sql_mkt"), null, null);
        long badTenant = jdbc.queryForObject("INSERT INTO job_requests (tenant_id, type, payload) "
                + "VALUES ('../evil tenant', 'csv_validation', CAST(? AS jsonb)) RETURNING id", Long.class,
                GOOD_PAYLOAD);

        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM job_requests WHERE status = 'NEW' AND id IN (?, ?, ?)", Long.class,
                acme, untenanted, badTenant) == 0);

        assertThat(jdbc.queryForObject("SELECT j.tenant_id FROM jobs j JOIN job_requests r ON r.job_id = j.job_id "
                + "WHERE r.id = ?", String.class, acme)).isEqualTo("acme_sql");
        assertThat(jdbc.queryForObject("SELECT j.tenant_id FROM jobs j JOIN job_requests r ON r.job_id = j.job_id "
                + "WHERE r.id = ?", String.class, untenanted)).isEqualTo("default");
        assertThat(request(badTenant)).containsEntry("status", "REJECTED");
        assertThat((String) request(badTenant).get("reject_reason")).startsWith("tenant_id must be");
        assertThat(request(badTenant).get("job_id")).isNull();
    }

    @Test
    void twoPollersAtOnceNeverMakeOneRowTwoJobs() throws Exception {
        int rows = 300;
        jdbc.update("INSERT INTO job_requests (type, payload) SELECT 'csv_validation', CAST(? AS jsonb) "
                + "FROM generate_series(1, ?)", GOOD_PAYLOAD.replace("sql_mkt", "race_mkt"), rows);
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> pollers = List.of(pool.submit(() -> drain(together)), pool.submit(() -> drain(together)));
            for (Future<Integer> poller : pollers) {
                poller.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // the service's own poller route is a third one; wait until every row is taken
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM job_requests WHERE status = 'NEW'", Long.class) == 0);

        assertThat(jdbc.queryForObject("SELECT count(*) FROM jobs WHERE marketplace = 'race_mkt'", Long.class))
                .isEqualTo(rows);
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT job_id) FROM job_requests r WHERE status = 'TAKEN' "
                + "AND payload->>'marketplace' = 'race_mkt'", Long.class)).isEqualTo(rows);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM job_requests WHERE payload->>'marketplace' = 'race_mkt' "
                + "AND status <> 'TAKEN'", Long.class)).isZero();
    }

    private int drain(CyclicBarrier together) throws Exception {
        together.await();
        int total = 0;
        int taken;
        while ((taken = poller.poll()) > 0) {
            total += taken;
        }
        return total;
    }

    private long insert(String type, String payload, String priority, String idempotencyKey) {
        return jdbc.queryForObject("INSERT INTO job_requests (type, payload, priority, idempotency_key) "
                + "VALUES (?, CAST(? AS jsonb), ?, ?) RETURNING id", Long.class, type, payload, priority, idempotencyKey);
    }

    private Map<String, Object> request(long id) {
        return jdbc.queryForMap("SELECT status, job_id, reject_reason FROM job_requests WHERE id = ?", id);
    }
}
