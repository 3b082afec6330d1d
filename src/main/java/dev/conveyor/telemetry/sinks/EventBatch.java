package dev.conveyor.telemetry.sinks;

import java.util.List;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/** A batch of serialised events as one JSON array, the body the HTTP sink POSTs. */
@Component("eventBatch")
public class EventBatch {

    /** Each element is already a JSON object (as written to job_events), so the array is built, not re-parsed. */
    public String asJsonArray(List<Exchange> batch) {
        List<String> events = EventBatcher.events(batch);
        StringBuilder array = new StringBuilder(events.stream().mapToInt(String::length).sum() + events.size() + 2);
        array.append('[');
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                array.append(',');
            }
            array.append(events.get(i));
        }
        return array.append(']').toString();
    }
}
