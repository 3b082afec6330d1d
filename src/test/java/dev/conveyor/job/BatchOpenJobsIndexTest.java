package dev.conveyor.job;

import java.util.List;

import dev.conveyor.support.ConveyorIntegrationTest;
import dev.conveyor.support.RunningServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batch completion asks whether an open batch still has an open job through jobs_batch_open_idx (migration
 * V92), an index of only such jobs. The index's predicate must stay the one BatchStore asks with, or PostgreSQL can
 * no longer use it and every look reads every job of every open batch again.
 */
@ConveyorIntegrationTest
class BatchOpenJobsIndexTest extends RunningServiceTest {

    @Autowired
    TransactionTemplate tx;

    @Test
    void theCompletionLooksUpEachOpenBatchInTheIndexOfOpenJobs() {
        // with sequential scans priced out, the planner takes any index whose predicate the query implies
        List<String> lines = tx.execute(status -> {
            jdbc.execute("SET LOCAL enable_seqscan = off");
            jdbc.execute("SET LOCAL enable_bitmapscan = off");
            return jdbc.queryForList("EXPLAIN " + BatchStore.COMPLETABLE.replace(":limit", "1"), String.class);
        });
        String plan = String.join("\n", lines);

        assertThat(plan).contains("using jobs_batch_open_idx on jobs j", "Index Cond: (batch_id = b.batch_id)");
    }

    @Test
    void theLookIsAProbePerBatchWhateverTheStatisticsSay() {
        // an anti-join is planned from the statistics, and stale ones made it read every open job for each batch
        String plan = String.join("\n", jdbc.queryForList(
                "EXPLAIN " + BatchStore.COMPLETABLE.replace(":limit", "1"), String.class));

        assertThat(plan).contains("SubPlan").doesNotContain("Anti Join");
    }

    @Test
    void theIndexHoldsExactlyTheJobsThatKeepABatchOpen() {
        String predicate = jdbc.queryForObject("SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i "
                + "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'jobs_batch_open_idx' "
                + "AND c.relnamespace = current_schema()::regnamespace", String.class);

        assertThat(predicate).contains("batch_id IS NOT NULL", "follow_ups IS NOT NULL")
                .contains("'SUCCESS'", "'PARTIAL_SUCCESS'", "'FAILED'", "'DEAD_LETTERED'", "'CANCELLED'");
    }
}
