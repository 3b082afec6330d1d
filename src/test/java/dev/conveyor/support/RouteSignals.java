package dev.conveyor.support;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.conveyor.job.Job;
import dev.conveyor.worker.RecordedSet;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;

/**
 * Waits on the routes themselves (Camel's {@link NotifyBuilder}) instead of polling the table for their traces:
 * once a route is done with an exchange, everything its steps write is written, so a test can assert at once,
 * and can assert that nothing else happened without waiting a while to see. Create the builder before the
 * exchange it waits for can start.
 */
public final class RouteSignals {

    /** Every lane's worker route (worker-high, worker-normal, ...), made from the worker template. */
    public static final String WORKER_ROUTES = "worker-*";

    private RouteSignals() {
    }

    /**
     * Matches once worker routes have finished {@code jobs} jobs of this marketplace: claimed, run, recorded, and
     * their follow-ups created. The route leaves the {@link RecordedSet} of its message as the body; a message may
     * carry several of the marketplace's jobs, so the jobs are counted, and the match is made when the exchange
     * that recorded the last of them is done.
     */
    public static NotifyBuilder workerFinished(CamelContext camel, String marketplace, int jobs) {
        Set<String> finished = ConcurrentHashMap.newKeySet();
        return new NotifyBuilder(camel).fromRoute(WORKER_ROUTES)
                .filter(exchange -> {
                    if (!(exchange.getIn().getBody() instanceof RecordedSet recorded)) {
                        return false;
                    }
                    boolean ours = false;
                    for (Job job : recorded.jobs()) {
                        if (marketplace.equals(job.marketplace())) {
                            finished.add(job.jobId() + "#" + job.attempts());
                            ours = true;
                        }
                    }
                    return ours && finished.size() >= jobs;
                })
                .whenDone(1).create();
    }

    /**
     * Matches once worker routes are done with {@code deliveries} deliveries of this job id, whatever they did with
     * them: ran and recorded the job, or dropped it because it was not theirs to claim. An exchange is recognised by
     * its body when it starts (the job ids it carries), since a dropped message ends without one: a set of ids
     * (memory), a Kafka poll's records (two deliveries of the id may be one exchange), ids joined by commas (SQS).
     */
    public static NotifyBuilder workerDoneWith(CamelContext camel, String jobId, int deliveries) {
        Map<String, Integer> carried = new ConcurrentHashMap<>();
        Set<String> done = ConcurrentHashMap.newKeySet();
        return new NotifyBuilder(camel).fromRoute(WORKER_ROUTES)
                .filter(exchange -> {
                    int times = timesCarried(exchange.getIn().getBody(), jobId);
                    if (times > 0) {
                        carried.putIfAbsent(exchange.getExchangeId(), times);
                    }
                    return carried.containsKey(exchange.getExchangeId());
                })
                .whenAnyDoneMatches(exchange -> {
                    done.add(exchange.getExchangeId());
                    return done.stream().mapToInt(id -> carried.getOrDefault(id, 0)).sum() >= deliveries;
                }).create();
    }

    private static int timesCarried(Object body, String jobId) {
        if (body instanceof List<?> set) {
            int times = 0;
            for (Object element : set) {
                times += timesCarried(element instanceof Exchange record ? record.getIn().getBody() : element, jobId);
            }
            return times;
        }
        String text = body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                : body instanceof String string ? string : null;
        if (text == null) {
            return 0;
        }
        int times = 0;
        for (String id : text.split(",")) {
            if (jobId.equals(id.strip())) {
                times++;
            }
        }
        return times;
    }

    /** Matches once the inbox route is done with the file of this name (a job made of it, or moved aside). */
    public static NotifyBuilder inboxDoneWith(CamelContext camel, String fileName) {
        return new NotifyBuilder(camel).fromRoute("inbox")
                .filter(exchange -> fileName.equals(exchange.getIn().getHeader(Exchange.FILE_NAME_ONLY)))
                .whenDone(1).create();
    }

    /** Matches once the inbox route is done with {@code files} files, whichever they are. */
    public static NotifyBuilder inboxDone(CamelContext camel, int files) {
        return new NotifyBuilder(camel).fromRoute("inbox").whenDone(files).create();
    }

    /**
     * Matches once a whole pass of the dispatcher has run after this call: it took every job due by then. Its
     * passes run one at a time, so of two that end after this call the second began after it.
     */
    public static NotifyBuilder dispatcherPassAfterNow(CamelContext camel) {
        return new NotifyBuilder(camel).fromRoute("dispatcher").whenDone(2).create();
    }

    /**
     * Matches once a whole pass of the schedules' ticker has run after this call: every tick due by the service's
     * clock at its start was fired. Its passes (a timer's) run one at a time.
     */
    public static NotifyBuilder schedulerPassAfterNow(CamelContext camel) {
        return new NotifyBuilder(camel).fromRoute("schedules").whenDone(2).create();
    }

    /**
     * Matches once a whole pass of the lease reaper has run after this call: it took back every job whose lease
     * had run out by then. Its passes (a timer's) run one at a time, as the dispatcher's do.
     */
    public static NotifyBuilder leaseReaperPassAfterNow(CamelContext camel) {
        return new NotifyBuilder(camel).fromRoute("lease-reaper").whenDone(2).create();
    }
}
