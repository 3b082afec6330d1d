package dev.conveyor.telemetry.sinks;

import java.util.List;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The log sink: one line per event at INFO on logger {@code dev.conveyor.events}, the line being the event's
 * JSON, so a log shipper can parse each message as it is (give the logger a pattern of just {@code %m%n}, or
 * use Spring Boot's structured logging, to have nothing else on the line).
 */
@Component("eventLogSink")
public class EventLogSink {

    static final String LOGGER = "dev.conveyor.events";

    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    public void write(List<Exchange> batch) {
        for (String event : EventBatcher.events(batch)) {
            log.info(event);
        }
    }
}
