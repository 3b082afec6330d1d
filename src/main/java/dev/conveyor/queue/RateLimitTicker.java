package dev.conveyor.queue;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.conveyor.config.ConveyorProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Wakes the dispatcher four times in the time a rate-limited key earns a token (the fastest {@code per-second} of
 * {@code conveyor.limits}; at most every 50 ms), so a key's jobs leave close to its rate. The dispatcher only
 * publishes as many as a key's bucket has whole tokens: waiting for the poll timer (a second) would cap a key at its
 * burst a second, and one wake per token interval, out of phase with the bucket, at about half its rate. Without a
 * rate limit configured it starts nothing.
 */
@Component
public class RateLimitTicker implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RateLimitTicker.class);
    private static final long FASTEST_TICK_MS = 50;

    private final ScheduledExecutorService ticks;

    public RateLimitTicker(ConveyorProperties properties, DispatchSignal signal) {
        double fastest = properties.limits().values().stream()
                .filter(limits -> limits.rate() != null)
                .mapToDouble(limits -> limits.rate().perSecond())
                .max().orElse(0);
        if (fastest <= 0) {
            ticks = null;
            return;
        }
        long periodMs = Math.max(FASTEST_TICK_MS, (long) Math.ceil(1000 / fastest / 4));
        ticks = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "rate-limit-ticks");
            thread.setDaemon(true);
            return thread;
        });
        ticks.scheduleAtFixedRate(() -> tick(signal), periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /** A tick that fails (Camel still starting, or stopping) is skipped: a task that threw would never run again. */
    private static void tick(DispatchSignal signal) {
        try {
            signal.wake();
        } catch (RuntimeException notRunning) {
            log.debug("rate-limit tick skipped: {}", notRunning.toString());
        }
    }

    @Override
    public void destroy() {
        if (ticks != null) {
            ticks.shutdownNow();
        }
    }
}
