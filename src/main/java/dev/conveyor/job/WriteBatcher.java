package dev.conveyor.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the single writes of many threads into set writes: callers hand in an item and wait; a few writer
 * threads each take what is waiting (up to {@code maxRows}) and pass it to one {@code flush}, which writes the
 * whole set (one statement per kind) and answers each item, in order. The caller gets its answer after the
 * flush returned, that is after its transaction committed.
 *
 * <p>When a flush throws a failure an item may be at fault for ({@code itemAtFault}), its set is split in halves
 * and each half flushed again, down to single items, so a bad item fails alone (its caller gets the exception)
 * after a handful of retries rather than failing the others or making every one replay alone. Any other failure
 * (the database is down) fails the whole set at once.
 *
 * <p>Lingering: a writer that found a full set, or more than one item, waits up to {@code linger} for more
 * before flushing, since a busy service fills sets fast; one that found a lone item in an idle service flushes
 * it at once, so a lone job is never delayed.
 */
final class WriteBatcher<I, O> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WriteBatcher.class);

    private final String name;
    private final Function<List<I>, List<O>> flush;
    private final Predicate<Throwable> itemAtFault;
    private final Observer observer;
    private final int maxRows;
    private final long lingerNanos;
    private final BlockingQueue<Pending<I, O>> waiting = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean busy;
    private volatile boolean closed;

    /** What the writer's work looked like, for metrics: each set written, and each caller's wait. */
    interface Observer {
        Observer NONE = new Observer() {
        };

        /** A set of {@code items} was flushed (committed or failed) in {@code nanos}, retries of its halves included. */
        default void setWritten(int items, long nanos) {
        }

        /** A caller's hand-in was answered {@code nanos} after it was handed in. */
        default void waited(long nanos) {
        }
    }

    WriteBatcher(String name, int maxRows, Duration linger, int writerCount, Function<List<I>, List<O>> flush,
                 Predicate<Throwable> itemAtFault) {
        this(name, maxRows, linger, writerCount, flush, itemAtFault, Observer.NONE);
    }

    WriteBatcher(String name, int maxRows, Duration linger, int writerCount, Function<List<I>, List<O>> flush,
                 Predicate<Throwable> itemAtFault, Observer observer) {
        this.name = name;
        this.flush = flush;
        this.itemAtFault = itemAtFault;
        this.observer = observer;
        this.maxRows = Math.max(1, maxRows);
        this.lingerNanos = linger.toNanos();
        for (int i = 0; i < Math.max(1, writerCount); i++) {
            Thread writer = new Thread(this::write, "conveyor-" + name + "-writer-" + i);
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
    }

    /** Writes the item with whatever else is waiting and returns its answer once that write committed. */
    O write(I item) {
        return writeAll(List.of(item)).get(0);
    }

    /**
     * Writes the items with whatever else is waiting — handed in together, so a writer takes them into one set
     * unless they are more than {@code maxRows} — and returns their answers, in order, once every one of them was
     * written. When some failed, the others are still written, and the first failure is thrown after all are
     * settled.
     */
    List<O> writeAll(List<I> items) {
        if (closed) {
            return flush.apply(items);
        }
        List<Pending<I, O>> pendings = new ArrayList<>(items.size());
        for (I item : items) {
            pendings.add(new Pending<>(item));
        }
        long handedIn = System.nanoTime();
        waiting.addAll(pendings);
        boolean interrupted = false;
        List<O> answers = new ArrayList<>(items.size());
        Throwable firstFailure = null;
        try {
            for (Pending<I, O> pending : pendings) {
                while (true) {
                    try {
                        // wait out the write even when interrupted: it may already be applied
                        answers.add(pending.answer.get());
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException e) {
                        if (firstFailure == null) {
                            firstFailure = e.getCause();
                        }
                        answers.add(null);
                        break;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        observer.waited(System.nanoTime() - handedIn);
        if (firstFailure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (firstFailure instanceof Error error) {
            throw error;
        }
        if (firstFailure != null) {
            throw new CompletionException(firstFailure);
        }
        return answers;
    }

    private void write() {
        List<Pending<I, O>> batch = new ArrayList<>(maxRows);
        while (!closed || !waiting.isEmpty()) {
            try {
                Pending<I, O> first = waiting.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    busy = false;
                    continue;
                }
                batch.add(first);
                waiting.drainTo(batch, maxRows - 1);
                if (lingerNanos > 0 && (busy || batch.size() > 1)) {
                    long deadline = System.nanoTime() + lingerNanos;
                    long left;
                    while (batch.size() < maxRows && (left = deadline - System.nanoTime()) > 0) {
                        Pending<I, O> next = waiting.poll(left, TimeUnit.NANOSECONDS);
                        if (next == null) {
                            break;
                        }
                        batch.add(next);
                        waiting.drainTo(batch, maxRows - batch.size());
                    }
                }
                busy = batch.size() > 1;
                long flushing = System.nanoTime();
                flushSplitting(batch);
                observer.setWritten(batch.size(), System.nanoTime() - flushing);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(p -> p.answer.completeExceptionally(e));
                return;
            } catch (RuntimeException | Error e) {
                // never lose the writer thread, and never leave a caller waiting
                log.error("{} writer failed; its set was answered with the failure", name, e);
                batch.forEach(p -> p.answer.completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void flushSplitting(List<Pending<I, O>> batch) {
        List<O> answers;
        try {
            answers = flush.apply(batch.stream().map(p -> p.item).toList());
        } catch (RuntimeException | Error failure) {
            if (batch.size() == 1 || !itemAtFault.test(failure)) {
                batch.forEach(p -> p.answer.completeExceptionally(failure));
                return;
            }
            log.debug("{}: a set of {} failed ({}); writing its halves apart", name, batch.size(), failure.toString());
            int half = batch.size() / 2;
            flushSplitting(batch.subList(0, half));
            flushSplitting(batch.subList(half, batch.size()));
            return;
        }
        if (answers.size() != batch.size()) {
            IllegalStateException wrong = new IllegalStateException(name + " flush answered " + answers.size()
                    + " of " + batch.size() + " items");
            batch.forEach(p -> p.answer.completeExceptionally(wrong));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).answer.complete(answers.get(i));
        }
    }

    /** Items handed in and not yet taken by a writer. */
    int waitingCount() {
        return waiting.size();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        for (Thread writer : writers) {
            writer.join(10_000);
        }
    }

    private static final class Pending<I, O> {
        private final I item;
        private final CompletableFuture<O> answer = new CompletableFuture<>();

        Pending(I item) {
            this.item = item;
        }
    }
}
