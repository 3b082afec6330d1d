package dev.conveyor.job;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.conveyor.config.ConveyorProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit for the short state changes of many threads (a job submitted, claimed, finished): the callers
 * hand their transaction's work to a few writer threads, each of which runs whatever is waiting in one
 * transaction and one commit, then answers every caller. A job queue on PostgreSQL spends its time in
 * commits; under load this turns one commit per state change into one per batch, while an idle service
 * still commits each change at once (a batch of one).
 * <p>
 * A caller gets its result only after the commit, exactly as with its own transaction. If any work in a batch
 * fails, or the commit does, nothing of the batch was kept and each work runs again alone, so only the
 * failing one fails. Work called inside a transaction already open on the calling thread joins it instead.
 */
@Component
public class GroupCommit implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    private final TransactionTemplate tx;
    private final int maxBatch;
    private final BlockingQueue<Unit<?>> waiting = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean closed;

    @Autowired
    public GroupCommit(PlatformTransactionManager transactions, ConveyorProperties properties) {
        this(transactions, properties.db().groupCommitBatch(), properties.db().groupCommitWriters());
    }

    /** @param maxBatch at most this many works share a commit; 1 or less runs each on its caller's thread */
    public GroupCommit(PlatformTransactionManager transactions, int maxBatch, int writerCount) {
        this.tx = new TransactionTemplate(transactions);
        this.maxBatch = maxBatch;
        writerCount = maxBatch > 1 ? Math.max(1, writerCount) : 0;
        for (int i = 0; i < writerCount; i++) {
            Thread writer = new Thread(this::write, "conveyor-group-commit-" + i);
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
    }

    /** Runs the work in a transaction and returns its result once that transaction has committed. */
    public <T> T execute(TransactionCallback<T> work) {
        if (writers.isEmpty() || closed || TransactionSynchronizationManager.isActualTransactionActive()) {
            return tx.execute(work);
        }
        Unit<T> unit = new Unit<>(work);
        waiting.add(unit);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    // wait out the commit even when interrupted: the change may already be applied
                    return unit.result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new CompletionException(cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void write() {
        List<Unit<?>> batch = new ArrayList<>(maxBatch);
        while (!closed || !waiting.isEmpty()) {
            try {
                Unit<?> first = waiting.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                waiting.drainTo(batch, maxBatch - 1);
                if (batch.size() == 1) {
                    first.runAlone(tx);
                } else {
                    runTogether(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // never lose the writer thread: each unit answers its caller, so nothing waits forever
                log.error("group commit writer failed; its batch was answered one by one", e);
            } finally {
                batch.clear();
            }
        }
    }

    private void runTogether(List<Unit<?>> batch) {
        try {
            tx.execute(status -> {
                for (Unit<?> unit : batch) {
                    unit.runIn(status);
                }
                if (status.isRollbackOnly()) {
                    throw new BatchRolledBack();
                }
                return null;
            });
        } catch (RuntimeException | Error failure) {
            log.debug("a batch of {} rolled back ({}); running each alone", batch.size(), failure.toString());
            for (Unit<?> unit : batch) {
                unit.runAlone(tx);
            }
            return;
        }
        for (Unit<?> unit : batch) {
            unit.committed();
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        closed = true;
        for (Thread writer : writers) {
            writer.join(10_000);
        }
    }

    /** One caller's work, its result while its batch is open, and the answer the caller waits on. */
    private static final class Unit<T> {

        private final TransactionCallback<T> work;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private T pending;

        Unit(TransactionCallback<T> work) {
            this.work = work;
        }

        void runIn(org.springframework.transaction.TransactionStatus status) {
            pending = work.doInTransaction(status);
        }

        void committed() {
            result.complete(pending);
        }

        void runAlone(TransactionTemplate tx) {
            try {
                result.complete(tx.execute(work));
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        }
    }

    /** A work of the batch marked the transaction rollback-only without throwing. */
    private static final class BatchRolledBack extends RuntimeException {
        BatchRolledBack() {
            super("rolled back by one of the batch", null, false, false);
        }
    }
}
