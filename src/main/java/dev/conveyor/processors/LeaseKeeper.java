package dev.conveyor.processors;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Beats a job's heartbeat on a timer while one long step that has no checkpoints of its own runs — the warehouse
 * merge, a single statement that takes seconds per million rows and longer on a busy server — so the reaper does not
 * take the job for dead and hand it to another worker mid-merge. The first beat that fails (the job was cancelled,
 * timed out or lost its lease) ends the beating; the step itself is not interrupted, and the job's next checkpoint or
 * its completion finds out.
 */
final class LeaseKeeper implements AutoCloseable {

    private final ScheduledExecutorService timer;

    private LeaseKeeper(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Calls {@code beat} every {@code period} until closed or until a beat throws. */
    static LeaseKeeper every(Duration period, Runnable beat) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "lease-keeper");
            thread.setDaemon(true);
            return thread;
        });
        long millis = Math.max(1, period.toMillis());
        // a throwing task is not run again: exactly "stop at the first failed beat"
        timer.scheduleAtFixedRate(beat, millis, millis, TimeUnit.MILLISECONDS);
        return new LeaseKeeper(timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
