package dev.conveyor.worker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks after the jobs of a worker's claimed set that wait behind the one running, whatever their type: the set is run
 * type group by type group (the worker route's {@code route-by-type}), and a job of the last group waits behind every
 * job of the groups before it. Every heartbeat interval the watch extends the waiting jobs' leases with one
 * statement, so the lease reaper does not take them for dead; once the running job has run
 * {@code conveyor.worker.set-hand-back-after-ms}, it hands them back to the queue, so idle workers run them instead of
 * their waiting out a long job. A waiting job that is no longer held here (handed back, or its lease ran out all the
 * same and the reaper took it) is never started here: {@link #start} says so.
 * <p>
 * The worker's start of a job and the watch's look at the waiting ones exclude each other, so no job is started here
 * after it was handed back, nor handed back after it started.
 */
public final class SetWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SetWatch.class);

    private final JobLifecycle lifecycle;
    private final long heartbeatIntervalNanos;
    private final long handBackAfterNanos;
    /** The set's jobs in the order they run. */
    private final List<Job> order;
    private final Map<String, Integer> positions = new HashMap<>();
    private final Set<String> lost = new HashSet<>();
    private final ScheduledFuture<?> keeper;
    private int running = -1;
    private long runningSince;
    private long leasesExtendedAt = System.nanoTime();

    /**
     * Starts watching {@code order}, the set's jobs in the order they will run, on the {@code executor}; a set of one
     * job has nobody waiting and is not watched.
     */
    SetWatch(List<Job> order, JobLifecycle lifecycle, long heartbeatIntervalNanos, long handBackAfterNanos,
             ScheduledExecutorService executor) {
        this.order = List.copyOf(order);
        this.lifecycle = lifecycle;
        this.heartbeatIntervalNanos = heartbeatIntervalNanos;
        this.handBackAfterNanos = handBackAfterNanos;
        for (int i = 0; i < this.order.size(); i++) {
            positions.putIfAbsent(this.order.get(i).jobId(), i);
        }
        if (this.order.size() < 2) {
            this.keeper = null;
            return;
        }
        long period = Math.max(1, Math.min(heartbeatIntervalNanos, handBackAfterNanos) / 1_000_000L);
        this.keeper = executor.scheduleAtFixedRate(() -> {
            try {
                look(System.nanoTime());
            } catch (RuntimeException e) {
                log.warn("looking after the waiting jobs of a set of {} failed: {}", this.order.size(), e.toString());
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /** Whether {@code job} may start now (it is still this worker's); from here on it is the running one. */
    synchronized boolean start(Job job, long now) {
        Integer position = positions.get(job.jobId());
        if (position != null) {
            running = position;
            runningSince = now;
        }
        return !lost.contains(job.jobId());
    }

    /** The keeper's turn: hand the waiting jobs back behind a long one, or extend their leases when due. */
    synchronized void look(long now) {
        List<Job> waiting = new ArrayList<>();
        for (Job job : order.subList(Math.min(order.size(), running + 1), order.size())) {
            if (!lost.contains(job.jobId())) {
                waiting.add(job);
            }
        }
        if (waiting.isEmpty()) {
            return;
        }
        if (running >= 0 && now - runningSince >= handBackAfterNanos) {
            Set<String> handedBack = lifecycle.handBackWaiting(waiting);
            // every waiting job is out of this set now: handed back, or no longer this worker's anyway
            waiting.forEach(job -> lost.add(job.jobId()));
            log.info("{} ran {} ms with {} job(s) waiting behind it; {} handed back to the queue",
                    order.get(running).jobId(), (now - runningSince) / 1_000_000L, waiting.size(), handedBack.size());
        } else if (now - leasesExtendedAt >= heartbeatIntervalNanos) {
            leasesExtendedAt = now;
            Set<String> held = lifecycle.keepWaiting(waiting);
            waiting.stream().map(Job::jobId).filter(id -> !held.contains(id)).forEach(lost::add);
        }
    }

    /** The set has run: stop looking after it. */
    @Override
    public void close() {
        if (keeper != null) {
            keeper.cancel(false);
        }
    }
}
