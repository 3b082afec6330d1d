package dev.conveyor.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.conveyor.support.ConveyorInstance;
import dev.conveyor.worker.KeyedWorkProcessor;
import dev.conveyor.worker.KeyedWorkProcessor.Run;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A per-key concurrency limit holds across instances: two services on one database, each with two batch writers (so
 * claims of one instance also race each other), run one marketplace's loads one at a time and different
 * marketplaces' side by side. The limit lives in the claim (an advisory lock per key, then the count of its RUNNING
 * jobs), not in either process.
 */
@Tag("slow") // two service instances of their own on a schema of their own
class PerKeyLimitsAcrossInstancesTest {

    private static final Map<String, String> LIMITED = Map.of(
            "conveyor.limits.test_keyed.concurrency.key", "key",
            "conveyor.limits.test_keyed.concurrency.max", "1",
            "conveyor.db.batch-writers", "2",
            // a few due jobs per dispatch round, so both instances' dispatchers have a chance at the due jobs
            "conveyor.dispatcher.batch-size", "2");

    @Test
    void oneKeyNeverRunsTwiceAtOnceOnTwoInstancesOfOneDatabaseWhileKeysRunInParallel() {
        String schema = ConveyorInstance.newSchema();
        try (ConveyorInstance one = ConveyorInstance.start("limits-one", schema, LIMITED);
             ConveyorInstance two = ConveyorInstance.start("limits-two", schema, LIMITED)) {
            List<String> keys = List.of("amazon", "ebay", "mercado", "shopee");
            List<String> jobIds = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                for (String key : keys) {
                    ConveyorInstance via = i % 2 == 0 ? one : two;
                    jobIds.add(via.api().submit("{\"type\":\"test_keyed\",\"payload\":{\"key\":\"" + schema + "-"
                            + key + "\",\"millis\":200}}"));
                }
            }

            await().atMost(Duration.ofSeconds(120)).until(() -> one.jdbc().queryForObject(
                    "SELECT count(*) FROM jobs WHERE type = 'test_keyed' AND status = 'SUCCESS'", Long.class)
                    == jobIds.size());

            List<Run> runs = KeyedWorkProcessor.RUNS.stream().filter(r -> r.key().startsWith(schema)).toList();
            assertThat(runs).hasSize(jobIds.size());
            for (Run a : runs) {
                for (Run b : runs) {
                    if (a != b && a.key().equals(b.key())) {
                        assertThat(a.overlaps(b)).as("two jobs of %s ran at once: %s and %s", a.key(), a, b)
                                .isFalse();
                    }
                }
            }
            assertThat(runs.stream().anyMatch(a -> runs.stream()
                    .anyMatch(b -> !a.key().equals(b.key()) && a.overlaps(b))))
                    .as("different keys ran side by side").isTrue();
            Map<String, Long> byInstance = new LinkedHashMap<>();
            one.jdbc().query("SELECT claimed_by, count(*) AS jobs, max(attempts) AS attempts FROM jobs"
                    + " WHERE type = 'test_keyed' GROUP BY claimed_by", rs -> {
                byInstance.put(rs.getString("claimed_by"), rs.getLong("jobs"));
                assertThat(rs.getInt("attempts")).as("waiting is not an attempt").isEqualTo(1);
            });
            System.out.printf("per-key limit across instances: %d jobs of 4 keys, claimed %s%n", jobIds.size(),
                    byInstance);
            // Which instance runs a key's jobs is not the limit's to decide: on the memory backend an instance runs
            // what its own dispatcher published, and the one that finishes a key's job dispatches that key's next at
            // once, so on a loaded machine one instance may run them all (CI saw 40/0; a quiet run 32/8 and 22/18).
            // The limit holds either way because it is decided in the claim statement, under an advisory lock per key,
            // in the database both share: racing claims of one instance (two batch writers here and in
            // PerKeyLimitsTest) meet it exactly as claims of two instances do.
            assertThat(byInstance.keySet()).isNotEmpty().allMatch(id -> id.startsWith("limits-"));
        } finally {
            ConveyorInstance.dropSchema(schema);
        }
    }
}
