package dev.conveyor.worker;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Interrupts the worker thread when an attempt runs past its time limit, for processors that block without
 * reaching a progress checkpoint. Closing it before the limit disarms it and clears a late interrupt.
 */
final class TimeLimit implements AutoCloseable {

    private static final ScheduledExecutorService TIMER = timer();

    /**
     * One daemon thread; a limit disarmed before it fires leaves the timer's queue at once. Without that, every
     * finished job's cancelled interrupt stayed queued until its limit passed (minutes): tens of thousands of
     * them in a drain, each making the next schedule and cancel slower.
     */
    private static ScheduledExecutorService timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "job-time-limit");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    private final ScheduledFuture<?> interrupt;

    private TimeLimit(ScheduledFuture<?> interrupt) {
        this.interrupt = interrupt;
    }

    static TimeLimit start(Duration limit) {
        Thread worker = Thread.currentThread();
        return new TimeLimit(TIMER.schedule(worker::interrupt, limit.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    public void close() {
        if (!interrupt.cancel(false)) {
            // the interrupt fired (or is firing): do not leak it into the next job on this thread
            Thread.interrupted();
        }
    }
}
