package dev.conveyor.intake;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import dev.conveyor.support.Api;
import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.CsvJobs;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A repeated idempotency key returns the first job of the tenant, never a second one. */
@ConveyorIntegrationTest
class IdempotencyTest extends RunningServiceTest {

    @Test
    void theSameHeaderKeyTwiceReturnsTheFirstJob() {
        String body = CsvJobs.inline(CsvJobs.CLEAN);
        HttpResponse<String> first = api.postJson("/jobs", body, "Idempotency-Key", "order-1");
        HttpResponse<String> second = api.postJson("/jobs", body, "Idempotency-Key", "order-1");

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(202);
        String jobId = Api.json(first).get("job_id").asText();
        assertThat(Api.json(second).get("job_id").asText()).isEqualTo(jobId);
        assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(jobsWithKey("order-1")).isEqualTo(1);
    }

    @Test
    void theBodyFieldWorksLikeTheHeaderAndAReplayAfterTheJobFinishedStillReturnsIt() {
        String body = CsvJobs.inline(CsvJobs.CLEAN).replaceFirst("\\{", "{\"idempotency_key\":\"order-2\",");
        String jobId = api.submit(body);
        api.awaitFinished(jobId);

        HttpResponse<String> replay = api.postJson("/jobs", body, "Idempotency-Key", "order-2");

        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(Api.json(replay).get("job_id").asText()).isEqualTo(jobId);
        assertThat(Api.json(replay).get("status").asText()).isEqualTo("SUCCESS");
        assertThat(jobsWithKey("order-2")).isEqualTo(1);
    }

    @Test
    void theSameKeyForADifferentRequestIs409() {
        api.submit(CsvJobs.inline(CsvJobs.CLEAN), "Idempotency-Key", "order-3");

        HttpResponse<String> other = api.postJson("/jobs", CsvJobs.inline(CsvJobs.TWO_BAD_ROWS),
                "Idempotency-Key", "order-3");

        assertThat(other.statusCode()).isEqualTo(409);
        assertThat(Api.json(other).get("detail").asText()).contains("already used for a different request");
        assertThat(jobsWithKey("order-3")).isEqualTo(1);
    }

    @Test
    void keysArePerTenant() {
        String body = CsvJobs.inline(CsvJobs.CLEAN);
        String alpha = api.submit(body, "Idempotency-Key", "order-4", "X-Tenant-Id", "alpha");
        String beta = api.submit(body, "Idempotency-Key", "order-4", "X-Tenant-Id", "beta");

        assertThat(alpha).isNotEqualTo(beta);
    }

    @Test
    void concurrentRequestsWithOneKeyCreateOneJob() throws Exception {
        String body = CsvJobs.inline(CsvJobs.CLEAN);
        int clients = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Callable<HttpResponse<String>> call = () -> {
                    start.await();
                    return api.postJson("/jobs", body, "Idempotency-Key", "order-5");
                };
                answers.add(pool.submit(call));
            }
            start.countDown();
            Set<String> jobIds = answers.stream().map(f -> {
                try {
                    HttpResponse<String> response = f.get();
                    assertThat(response.statusCode()).isEqualTo(202);
                    return Api.json(response).get("job_id").asText();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).collect(Collectors.toSet());

            assertThat(jobIds).hasSize(1);
            assertThat(jobsWithKey("order-5")).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    private long jobsWithKey(String key) {
        return jdbc.queryForObject("SELECT count(*) FROM jobs WHERE idempotency_key = ?", Long.class, key);
    }
}
