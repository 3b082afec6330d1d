package dev.conveyor.worker;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobLifecycle;
import dev.conveyor.job.JobLifecycle.DeadLetter;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The bean behind the dead-letter channel: records a job whose attempts ran out (dead_letters row,
 * DEAD_LETTERED, job.dead_lettered) before the route publishes it to the backend's dead-letter lane.
 */
@Component("deadLetters")
public class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final JobLifecycle lifecycle;

    public DeadLetters(JobLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    /** Called by the dead-letter channel with the failed exchange; leaves the job id as the body. */
    public void record(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (!(caught instanceof JobExhaustedException exhausted)) {
            // not a job failure (the worker itself broke, or the database stayed away past the redeliveries): a
            // claimed job is taken back when its lease expires, an unclaimed one is published again (redispatch-stale)
            log.error("worker route failed outside a job's attempt (job {}); a claimed job will run again when its "
                    + "lease expires, an unclaimed one when its dispatch is found stale", exchange.getMessage()
                    .getBody(), caught);
            exchange.setRouteStop(true);
            return;
        }
        Throwable cause = exhausted.getCause() == null ? exhausted : exhausted.getCause();
        Optional<DeadLetter> dead = lifecycle.deadLetter(exhausted.job(), cause.getMessage(),
                cause.getClass().getName(), stackTrace(cause));
        dead.ifPresentOrElse(d -> log.warn("{} dead-lettered as #{} after {} attempts", d.job().jobId(), d.id(),
                d.job().attempts()), () -> exchange.setRouteStop(true));
        exchange.getMessage().setBody(exhausted.job().jobId());
        exchange.getMessage().setHeader("jobId", exhausted.job().jobId());
    }

    /**
     * Records a job of a worker route's set whose last attempt failed (the route's {@code each-exhausted} step).
     *
     * @return its id, for the dead-letter lane; null when the job was no longer running (nothing to publish)
     */
    public String recordExhausted(JobExhaustedException exhausted) {
        Throwable cause = exhausted.getCause() == null ? exhausted : exhausted.getCause();
        Optional<DeadLetter> dead = lifecycle.deadLetter(exhausted.job(), cause.getMessage(),
                cause.getClass().getName(), stackTrace(cause));
        dead.ifPresent(d -> log.warn("{} dead-lettered as #{} after {} attempts", d.job().jobId(), d.id(),
                d.job().attempts()));
        return dead.map(d -> d.job().jobId()).orElse(null);
    }

    /** Dead-letters jobs the lease reaper found out of attempts; returns their ids for the dead-letter lane. */
    public List<String> recordExpired(List<Job> jobs) {
        return jobs.stream().map(job -> lifecycle.deadLetter(job, "lease expired on the last attempt (worker "
                + job.claimedBy() + " stopped)", "LeaseExpired", null)).flatMap(Optional::stream)
                .map(d -> d.job().jobId()).toList();
    }

    static String stackTrace(Throwable failure) {
        StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        String trace = text.toString();
        return trace.length() > 16_000 ? trace.substring(0, 16_000) + "\n…" : trace;
    }
}
