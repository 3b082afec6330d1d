package dev.conveyor.telemetry;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs metric updates only once the state change they count is committed: a job row rolled back (a failed
 * chain step, an event that breaks its schema, a savepoint of the SQL source rolled back) is never counted.
 * Outside a transaction an update runs at once. An update that throws is logged, never propagated: the
 * transaction it follows has already committed.
 */
final class AfterCommit {

    private static final Logger log = LoggerFactory.getLogger(AfterCommit.class);

    private AfterCommit() {
    }

    static void run(Runnable update) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            safely(update);
            return;
        }
        Pending pending = null;
        for (TransactionSynchronization synchronization : TransactionSynchronizationManager.getSynchronizations()) {
            if (synchronization instanceof Pending mine) {
                pending = mine;
                break;
            }
        }
        if (pending == null) {
            pending = new Pending();
            TransactionSynchronizationManager.registerSynchronization(pending);
        }
        pending.updates.add(update);
    }

    private static void safely(Runnable update) {
        try {
            update.run();
        } catch (RuntimeException e) {
            log.warn("a metric update failed; the metric is off by one event", e);
        }
    }

    /**
     * One per transaction: the updates it owes, forgetting those made after a savepoint it is rolled back to
     * (the SQL source takes one savepoint per row).
     */
    private static final class Pending implements TransactionSynchronization {

        private final List<Runnable> updates = new ArrayList<>();
        private final Map<Object, Integer> marks = new IdentityHashMap<>();

        @Override
        public void savepoint(Object savepoint) {
            marks.put(savepoint, updates.size());
        }

        @Override
        public void savepointRollback(Object savepoint) {
            // a savepoint this object never saw was taken before it existed: every update came after it
            Integer mark = marks.getOrDefault(savepoint, 0);
            if (mark < updates.size()) {
                updates.subList(mark, updates.size()).clear();
            }
        }

        @Override
        public void afterCommit() {
            updates.forEach(AfterCommit::safely);
        }
    }
}
