package dev.conveyor.queue;

import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.ServiceStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Wakes the dispatcher route right after an intake commit, so a new job waits milliseconds rather than a
 * poll interval. Inside a transaction the wake-up waits for the commit (before it the dispatcher could not
 * see the job). Wake-ups coalesce: the wake queue holds one signal and drops the rest.
 */
@Component
public class DispatchSignal {

    static final String WAKE_ENDPOINT = "seda:dispatch-wake?size=1&discardWhenFull=true";

    private final ProducerTemplate producer;
    private final AtomicBoolean pending = new AtomicBoolean();

    public DispatchSignal(ProducerTemplate producer) {
        this.producer = producer;
    }

    public void wake() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    send();
                }
            });
        } else {
            send();
        }
    }

    /**
     * At most one wake-up is outstanding: until the dispatcher starts its next round, later commits have
     * nothing to add (that round will see their jobs), so they skip the message altogether.
     */
    private void send() {
        if (pending.compareAndSet(false, true) && !stopping()) {
            producer.sendBody(WAKE_ENDPOINT, null);
        }
    }

    /**
     * Once Camel is stopping there are no more rounds. The dispatcher's consumer ends only when a poll of its queue
     * finds it empty, so a steady wake-up (a rate limit's ticks every few milliseconds, jobs finishing) held every
     * graceful stop to its whole timeout and then forced it; and nothing is to be published into an instance that
     * is draining. What is due stays in the table for the next start or another instance.
     */
    private boolean stopping() {
        ServiceStatus status = producer.getCamelContext().getStatus();
        return status.isStopping() || status.isStopped();
    }

    /** The dispatcher starts a round: a commit from now on may have jobs that round misses, so it wakes again. */
    public void roundStarted() {
        pending.set(false);
    }
}
