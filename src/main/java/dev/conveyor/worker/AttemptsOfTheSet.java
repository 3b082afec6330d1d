package dev.conveyor.worker;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Gathers the attempts of a message's set back into one list after the worker route's {@code route-by-type}
 * split ran each job type's group in its route, so that {@code record-outcomes} records them together.
 */
@Component("attemptsOfTheSet")
public class AttemptsOfTheSet implements AggregationStrategy {

    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange gathered, Exchange group) {
        List<Attempt> attempts = group.getMessage().getBody(List.class);
        if (gathered == null) {
            group.getMessage().setBody(new ArrayList<>(attempts));
            return group;
        }
        gathered.getMessage().getBody(List.class).addAll(attempts);
        return gathered;
    }
}
