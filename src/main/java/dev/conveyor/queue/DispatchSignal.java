package dev.conveyor.queue;

import org.apache.camel.ProducerTemplate;
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

    private void send() {
        producer.sendBody(WAKE_ENDPOINT, null);
    }
}
