package dev.conveyor.queue;

import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

/**
 * Wakes the dispatcher route right after an intake commit, so a new job waits milliseconds rather than a
 * poll interval. Wake-ups coalesce: the wake queue holds one signal and drops the rest.
 */
@Component
public class DispatchSignal {

    static final String WAKE_ENDPOINT = "seda:dispatch-wake?size=1&discardWhenFull=true";

    private final ProducerTemplate producer;

    public DispatchSignal(ProducerTemplate producer) {
        this.producer = producer;
    }

    public void wake() {
        producer.sendBody(WAKE_ENDPOINT, null);
    }
}
